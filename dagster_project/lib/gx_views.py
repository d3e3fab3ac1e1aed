"""GX's Data Docs page views, with their Jinja templates compiled once per process.

GX makes new views, each with a Jinja environment of its own, for every Data Docs build, so
every suite's build compiles the same templates again: most of the time a build takes. These
views render exactly as GX's and share one environment per view class and template folders.
`lib.quality` names them in the Data Docs site's configuration; only GX imports this module.
"""

import os

from great_expectations.render.view import DefaultJinjaIndexPageView, DefaultJinjaPageView

_ENVIRONMENTS: dict[tuple, object] = {}


class _SharedEnvironment:
    def __init__(self, custom_styles_directory=None, custom_views_directory=None) -> None:
        folders = (custom_styles_directory, custom_views_directory)
        key = (type(self), *(os.path.realpath(f) if f else None for f in folders))
        if key not in _ENVIRONMENTS:
            super().__init__(custom_styles_directory, custom_views_directory)
            _ENVIRONMENTS[key] = self.env
            return
        # what GX's view keeps; its template filters, bound to the first view, read no more
        self.custom_styles_directory = custom_styles_directory
        self.custom_views_directory = custom_views_directory
        self.env = _ENVIRONMENTS[key]


class PageView(_SharedEnvironment, DefaultJinjaPageView):
    """A suite's or a validation's page."""


class IndexPageView(_SharedEnvironment, DefaultJinjaIndexPageView):
    """The site's index page."""
