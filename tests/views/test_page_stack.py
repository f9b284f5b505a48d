"""The window's page stacks lay out only the page shown: a switch never lays out the words of
the pages hidden behind it (Qt's own stack did, every wrapped label of every stage page on
each switch), while the window's minimum still keeps room for the largest page."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from aiuteur_desktop.views.kit.page_stack import PageStack


class CountingLabel(QLabel):
    """A word-wrapped label that counts the times it is asked its height at a width."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.setWordWrap(True)
        self.asked = 0

    def heightForWidth(self, width: int) -> int:
        self.asked += 1
        return super().heightForWidth(width)


def _window(qtbot, stack: QStackedWidget) -> tuple[QWidget, list[CountingLabel]]:  # type: ignore[no-untyped-def]
    labels = []
    for n in range(4):
        page = QWidget()
        column = QVBoxLayout(page)
        for _ in range(5):
            label = CountingLabel(f"Page {n}: " + "a line of words that wraps " * 12)
            column.addWidget(label)
            labels.append(label)
        if n == 3:  # the tallest page, never shown
            page.setMinimumHeight(700)
        stack.addWidget(page)
    window = QWidget()
    QVBoxLayout(window).addWidget(stack)
    qtbot.addWidget(window)
    window.resize(900, 760)
    window.show()
    qtbot.waitExposed(window)
    return window, labels


def _asked_of_the_hidden_page(qtbot, stack: QStackedWidget, labels: list[CountingLabel]) -> int:  # type: ignore[no-untyped-def]
    """Switch between pages 0–2 a few times: how often page 3's labels were asked."""
    for label in labels:
        label.asked = 0
    for page in (1, 0, 2, 0, 1):
        stack.setCurrentIndex(page)
        qtbot.wait(20)
    return sum(label.asked for label in labels if label.text().startswith("Page 3"))


def test_a_page_switch_lays_out_only_the_page_it_shows(qtbot) -> None:  # type: ignore[no-untyped-def]
    stack = PageStack()
    window, labels = _window(qtbot, stack)
    assert _asked_of_the_hidden_page(qtbot, stack, labels) == 0
    # The hint follows the page shown; the minimum still holds the tallest page.
    assert stack.sizeHint() == stack.currentWidget().sizeHint()
    assert window.minimumSizeHint().height() >= 700


def test_qt_s_own_stack_would_lay_out_the_hidden_pages(qtbot) -> None:  # type: ignore[no-untyped-def]
    """(Why PageStack exists: the same switches on a QStackedWidget ask the hidden page's
    labels — if Qt stops doing so, PageStack can go.)"""
    stack = QStackedWidget()
    _shown, labels = _window(qtbot, stack)
    assert _asked_of_the_hidden_page(qtbot, stack, labels) > 0
