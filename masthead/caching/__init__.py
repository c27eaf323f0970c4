"""Masthead's page cache: every public page records what it shows, and a change purges exactly
the pages that show it, here and in the front cache (Varnish)."""
