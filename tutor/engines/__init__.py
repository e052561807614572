"""The math of every lesson, on an `xp` array module (NumPy or CuPy), free of any UI.

Engines return or yield plain records (dataclasses of arrays and numbers); they never import
Textual or Rich and never print. A test imports this package in a subprocess to prove it.
"""
