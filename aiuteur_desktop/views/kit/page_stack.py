"""A stack of pages that lays out only the page shown.

Qt's QStackedWidget answers its layout's questions — its size hint, its height at a width —
from every page it holds, hidden or not, and a page switch re-asks them all the way up to the
window: every word-wrapped label of every stage page was laid out again, about 10 ms a switch
with the fourteen stage pages of a project (1/40 of that once only the shown page answers).
The minimum size is still every page's (the layout sets it from them all, each one's cached),
so the window's minimum never lets a hidden page be squeezed.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QStackedWidget


class PageStack(QStackedWidget):
    """A QStackedWidget whose size hint is its current page's and that never asks its pages
    for a height at a width (its place in the window gives it its size)."""

    def hasHeightForWidth(self) -> bool:
        return False

    def sizeHint(self) -> QSize:
        page = self.currentWidget()
        return page.sizeHint() if page is not None else super().sizeHint()
