"""The raw-folder fingerprint: content and names count, listing order and timestamps do not."""

from __future__ import annotations

from dagster_project.lib.fingerprint import FileState, changed_paths, decode, encode, fingerprint

A = FileState(size=3, mtime_ns=1, sha256="aa")
A_TOUCHED = FileState(size=3, mtime_ns=99, sha256="aa")
B = FileState(size=4, mtime_ns=2, sha256="bb")


def test_the_fingerprint_ignores_order_and_timestamps():
    assert fingerprint({"x.txt": A, "y.txt": B}) == fingerprint({"y.txt": B, "x.txt": A_TOUCHED})


def test_the_fingerprint_changes_with_content_names_and_membership():
    base = fingerprint({"x.txt": A, "y.txt": B})
    assert fingerprint({"x.txt": B, "y.txt": B}) != base
    assert fingerprint({"z.txt": A, "y.txt": B}) != base
    assert fingerprint({"x.txt": A}) != base
    assert fingerprint({}) != base


def test_changed_paths_lists_added_changed_and_removed_files():
    before = {"kept.txt": A, "edited.txt": A, "gone.txt": B}
    after = {"kept.txt": A_TOUCHED, "edited.txt": B, "new.txt": A}
    assert changed_paths(before, after) == ["edited.txt", "gone.txt", "new.txt"]


def test_the_cursor_form_round_trips():
    states = {"x.txt": A, "sub/y.jsonl": B}
    assert decode(encode(states)) == states
