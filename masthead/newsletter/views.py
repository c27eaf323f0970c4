from django.http import Http404

# The subscribing half of the newsletter (issue 12) replaces these.


def confirm(request, token):
    raise Http404


def preferences(request, token):
    raise Http404


def unsubscribe(request, token):
    raise Http404
