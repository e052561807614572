"""The question generators behind `predict` questions, one module per topic.

Each generator takes a seeded `numpy.random.Generator` (and keyword params from the lesson),
draws its numbers, computes the answer with an engine from `tutor.engines`, and returns a
`tutor.quiz.predict.Generated`. `tutor.quiz.predict.GENERATORS` names them as
``"tutor.quiz.generators.<topic>:<function>"`` and imports a module only when its question is
asked, so importing this package imports neither NumPy nor any engine.
"""
