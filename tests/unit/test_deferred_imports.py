"""The stand-in `lib.quality` puts in `sys.modules` for a module GX imports but the suites
never use: nothing is imported until an attribute is read, then the real module serves."""

import sys

from dagster_project.lib import quality


def test_a_deferred_module_is_imported_when_an_attribute_is_first_read(monkeypatch):
    monkeypatch.delitem(sys.modules, "colorsys", raising=False)
    stand_in = quality._Deferred("colorsys")
    monkeypatch.setitem(sys.modules, "colorsys", stand_in)
    import colorsys

    assert colorsys is stand_in and "_module" not in stand_in.__dict__
    assert colorsys.__spec__.name == "colorsys"
    from colorsys import rgb_to_hsv

    assert "_module" in stand_in.__dict__
    assert rgb_to_hsv(1.0, 0.0, 0.0) == (0.0, 1.0, 1.0)
    # the real module took its place for every later import
    assert sys.modules["colorsys"] is not stand_in
    assert sys.modules["colorsys"].rgb_to_hsv is rgb_to_hsv


def test_looking_up_a_frames_module_imports_no_deferred_module(monkeypatch):
    """`inspect.getmodule` reads `__file__` of every module in `sys.modules` (dbt calls it
    on every build through `inspect.stack()`): a stand-in answers from its spec."""
    import inspect

    monkeypatch.delitem(sys.modules, "colorsys", raising=False)
    stand_in = quality._Deferred("colorsys")
    monkeypatch.setitem(sys.modules, "colorsys", stand_in)
    monkeypatch.setattr(inspect, "_filesbymodname", {})
    monkeypatch.setattr(inspect, "modulesbyfile", {})

    assert inspect.getmodule(inspect.currentframe()) is sys.modules[__name__]
    assert sys.modules["colorsys"] is stand_in and "_module" not in stand_in.__dict__
    assert stand_in.__file__ == stand_in.__spec__.origin
