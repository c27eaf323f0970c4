"""allauth's rate limits, read from the site's one table (`masthead.core.ratelimit.LIMITS`) each
time allauth asks, so that the settings module can name it before Django has loaded."""

from collections.abc import Mapping


class AccountRateLimits(Mapping):
    """`ACCOUNT_RATE_LIMITS`: allauth's action → rates, such as "5/300s/key,20/300s/ip"."""

    def _table(self):
        from masthead.core import ratelimit

        return ratelimit.allauth_rates()

    def __getitem__(self, action):
        return self._table()[action]

    def __iter__(self):
        return iter(self._table())

    def __len__(self):
        return len(self._table())
