"""Reusable widgets: plots, half-block images, transport controls and question cards."""

from tutor.widgets.graph_view import GraphView
from tutor.widgets.image import HalfBlockImage
from tutor.widgets.plot import Plot
from tutor.widgets.question_card import QuestionCard
from tutor.widgets.transport import Transport

__all__ = ["GraphView", "HalfBlockImage", "Plot", "QuestionCard", "Transport"]
