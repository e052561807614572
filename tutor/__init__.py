"""dl-tutor: a terminal tutor for deep learning, from the single neuron to LeNet-5."""

__version__ = "0.1.0"
