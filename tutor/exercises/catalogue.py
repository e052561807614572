"""The exercises in course order: what each one asks, where its files are, and its limits.

An exercise is data: its id (what the learner types), a title, the lesson it belongs to, the
file it lives in (`module`.py in the workspace, so one exercise can import another learner
file by name), the exercises it builds on, hints, and the limits its checks run under. Its
starter and reference solution are package data (`starters/MODULE.py`, `solutions/MODULE.py`);
its checks are the module `tutor.exercises.checks.MODULE`, loaded only in the sandbox child.
Pure Python: listing exercises loads no NumPy.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["EXERCISES", "Exercise", "Limits", "find", "get"]

_HERE = Path(__file__).resolve().parent

#: Where the starters and the reference solutions live (package data).
STARTERS_DIR = _HERE / "starters"
SOLUTIONS_DIR = _HERE / "solutions"

GIB = 1024**3


@dataclass(frozen=True)
class Limits:
    """What one run of an exercise's checks may use.

    Attributes:
        wall_seconds: the run is stopped after this long (an endless loop ends here).
        cpu_seconds: RLIMIT_CPU of the child (BLAS threads count too, so it is above the wall).
        memory_bytes: RLIMIT_AS of the child (a huge allocation raises MemoryError).
        output_bytes: what the learner's code may print before the run is stopped.
    """

    wall_seconds: float = 30.0
    cpu_seconds: int = 90
    memory_bytes: int = 3 * GIB
    output_bytes: int = 1024 * 1024


#: Limits for a quick exercise, and for the ones that train on MNIST.
QUICK = Limits()
TRAINING = Limits(wall_seconds=240.0, cpu_seconds=900, memory_bytes=4 * GIB)


@dataclass(frozen=True)
class Exercise:
    """One hands-on exercise.

    Attributes:
        id: what the learner types (`dl-tutor exercises check ID`).
        title: one line for the list.
        lesson: the id of the lesson it belongs to (in `lessons/course.toml`).
        module: the file name in the workspace without ".py" (a Python identifier).
        task: one sentence: what to write.
        hints: shown one after another by `exercises hint ID`.
        needs: ids of the exercises whose files this one imports (their files must exist).
        limits: what a run of the checks may use.
        trains: True when the checks train a network on MNIST (slow: a minute or more).
    """

    id: str
    title: str
    lesson: str
    module: str
    task: str
    hints: tuple[str, ...]
    needs: tuple[str, ...] = ()
    limits: Limits = field(default=QUICK)
    trains: bool = False

    @property
    def file_name(self) -> str:
        """The learner's file name in the workspace, e.g. "threshold_unit.py"."""
        return f"{self.module}.py"

    @property
    def starter_path(self) -> Path:
        """The starter file shipped with dl-tutor."""
        return STARTERS_DIR / self.file_name

    @property
    def solution_path(self) -> Path:
        """The reference solution shipped with dl-tutor."""
        return SOLUTIONS_DIR / self.file_name

    @property
    def checks_module(self) -> str:
        """The module holding this exercise's checks (imported in the sandbox child only)."""
        return f"tutor.exercises.checks.{self.module}"

    def starter_text(self) -> str:
        """The starter file's text."""
        return self.starter_path.read_text(encoding="utf-8")

    def solution_text(self) -> str:
        """The reference solution's text."""
        return self.solution_path.read_text(encoding="utf-8")


EXERCISES: tuple[Exercise, ...] = (
    Exercise(
        "threshold-unit", "A threshold unit, and weights for OR and AND", "artificial-neuron",
        "threshold_unit",
        "Write the McCulloch-Pitts unit (fires when the weighted sum is above the threshold) and "
        "choose weights and thresholds that make it compute OR and AND.",
        (
            "The weighted sum of a batch is one matrix product: x @ weights, shape (N,).",
            "The unit fires only when the sum is strictly greater than the threshold: a sum equal "
            "to it gives 0. (s > threshold) is a boolean array; .astype(int) makes it 0s and 1s.",
            "With weights [1, 1] the sums of 00, 01, 10, 11 are 0, 1, 1, 2: pick a threshold that "
            "only 2 exceeds for AND, and one that 1 and 2 exceed but 0 does not for OR.",
        ),
    ),
    Exercise(
        "perceptron-rule", "The perceptron learning rule and its training loop", "perceptron-rule",
        "perceptron_rule",
        "Write hardlim, one update w += e·p, b += e of Rosenblatt's rule, and the loop that "
        "presents every pattern, epoch after epoch, until an epoch makes no error.",
        (
            "hardlim(n) is 1 for n >= 0 (zero included) and 0 otherwise.",
            "The error is e = t - a with a = hardlim(w·p + b): +1, 0 or -1. The new weights are "
            "w + e·p; the bias, when it learns, becomes b + e.",
            "The seed starts from w = [1.0, -0.8] without a bias: p1 = [1, 2] gives a = 0 but t = 1, "
            "so w becomes [2.0, 1.2]. Stop after the first whole epoch where e was 0 every time.",
        ),
    ),
    Exercise(
        "quadratic-cost", "The quadratic cost and its gradient", "cost-function", "quadratic_cost",
        "Write C(w, b) = 1/(2n) Σ (t - a)² for the line a = w·x + b, and its two partial "
        "derivatives dC/dw and dC/db.",
        (
            "a = w * x + b works on the whole array x at once; so does t - a.",
            "Divide the sum of squares by 2n, not by n: the seed's C(3, 2) on y = 2x + 4 is 5.75.",
            "Differentiate (t - a)² with the chain rule: d/dw gives -2(t - a)·x, and the 1/(2n) "
            "turns the 2 into 1/n. For b the inner derivative is 1 instead of x.",
        ),
    ),
    Exercise(
        "descent-one-weight", "Gradient descent on one weight, and when it diverges",
        "descent-one-weight", "descent_one_weight",
        "Write J'(w) for z = w·x, then gradient descent w ← w - lr·J'(w) that stops and says so "
        "when the weight blows up.",
        (
            "J(w) = 1/(2m) Σ (z - w·x)², so J'(w) = -(1/m) Σ (z - w·x)·x.",
            "Keep every weight in a list, starting with w0; one step is w - lr * grad(w).",
            "After each step, if the new w is not finite or |w| > limit, append it, and return at "
            "once with diverged = True. math.isfinite tells inf and nan apart from numbers.",
        ),
    ),
    Exercise(
        "minibatch-sgd", "Mini-batch stochastic gradient descent", "stochastic-descent",
        "minibatch_sgd",
        "Fit a = w·x + b with mini-batches: shuffle every epoch, step on each batch's gradient, "
        "and return (w, b) after every update.",
        (
            "Make one generator before the loop, rng = np.random.default_rng(seed), and draw "
            "order = rng.permutation(n) at the start of every epoch (not when batch_size >= n: "
            "then the data stay in order and each epoch is one full-batch step).",
            "Batches are order[0:B], order[B:2B], ...; the last one may be smaller.",
            "The gradient on a batch is the quadratic cost's gradient on that batch alone: "
            "dC/dw = -mean((t - a)·x), dC/db = -mean(t - a).",
        ),
    ),
    Exercise(
        "sigmoid-chain-rule", "Sigmoid forward and backward, and the chain rule",
        "sigmoid-neuron-graph", "sigmoid_chain_rule",
        "Write σ(x) without overflow, its backward pass dout·σ(x)(1 - σ(x)), and the forward "
        "and backward pass of f = (x + y)·z by hand.",
        (
            "np.exp(-x) overflows for x = -1000. Either split positive and negative x with "
            "np.where, or use σ(x) = (1 + tanh(x/2)) / 2, which never overflows.",
            "The backward pass multiplies the upstream gradient by the local derivative: "
            "dout * s * (1 - s) with s = σ(x).",
            "For f = q·z with q = x + y: df/dz = q, df/dq = z, and the + node passes df/dq on to "
            "both x and y unchanged. At (-2, 5, -4): f = -12, and the gradients are -4, -4, 3.",
        ),
    ),
    Exercise(
        "softmax-cross-entropy", "Softmax, cross-entropy and its gradient p - y",
        "softmax-cross-entropy", "softmax_cross_entropy",
        "Write a stable softmax, the mean cross-entropy loss -ln p[y], and its gradient with "
        "respect to the logits, (p - onehot(y)) / N.",
        (
            "Subtract each row's maximum before np.exp (keepdims=True keeps the shapes lined up): "
            "the result does not change, and [1000, 1001, 999] no longer overflows.",
            "For a batch, p[np.arange(N), y] picks each row's probability of its true class; the "
            "loss is the mean of -log of those. The seed's 0.479 is -ln 0.619.",
            "The gradient is p with 1 subtracted at each row's true class, all divided by N.",
        ),
    ),
    Exercise(
        "xor-backward", "The 2-layer XOR network's backward pass", "xor-network", "xor_backward",
        "Given the forward pass of the 2-2-1 sigmoid network, write its backward pass: the "
        "gradient of the mean squared error with respect to W1, b1, W2 and b2.",
        (
            "Start at the output: loss = mean((y - t)²) / 2, so dL/dy = (y - t) / N, and through "
            "the output sigmoid dz2 = dL/dy · y(1 - y).",
            "dW2 = dz2 @ h as a (1, H) row, db2 = sum(dz2); then dh = dz2[:, None] * W2 and "
            "dz1 = dh * h * (1 - h).",
            "dW1 = dz1.T @ X (H, 2), db1 = dz1.sum(axis=0). Every gradient has its parameter's shape.",
        ),
    ),
    Exercise(
        "dense-layer", "A dense layer and ReLU, forward and backward", "mnist-dense", "dense_layer",
        "Write the fully connected layer out = x·w + b and ReLU, each with its backward pass "
        "returning the gradients in input order.",
        (
            "dense_forward keeps (x, w) in its cache; dense_backward needs nothing else.",
            "dx = dout @ w.T (N, D), dw = x.T @ dout (D, M), db = dout.sum(axis=0) (M,): each "
            "gradient has the shape of what it is the gradient of.",
            "relu_backward lets the gradient through where the input was positive: dout * (x > 0).",
        ),
    ),
    Exercise(
        "mnist-mlp", "A 784-128-10 network trained on MNIST to 97%", "mnist-dense", "mnist_mlp",
        "Build a 784-128-10 ReLU network from your dense layer and your softmax cross-entropy, "
        "and write the training loop that takes it to 97% on the test digits.",
        (
            "Initialise w1 with rng.normal(0, sqrt(2/784), (784, 128)) (He initialisation) and w2 "
            "with rng.normal(0, sqrt(2/128), (128, 10)); biases start at zero. Use float32.",
            "One step: forward (dense, relu, dense), loss and dscores from your "
            "softmax_cross_entropy_grad, backward in reverse order, then p -= lr * grad.",
            "Plain SGD with lr = 0.1 and batches of 64, shuffled every epoch, passes 97% after "
            "6 epochs (a second or two each).",
        ),
        needs=("dense-layer", "softmax-cross-entropy"),
        limits=TRAINING,
        trains=True,
    ),
    Exercise(
        "conv2d-loops", "Convolution with loops", "convolution", "conv2d_loops",
        "Write the convolution of a batch (N, C, H, W) with F filters (F, C, K, K) the readable "
        "way: loops over the output cells, with stride and zero padding.",
        (
            "The output is (N, F, H', W') with H' = (H - K + 2P) // S + 1; np.pad adds the zeros "
            "(only on the two spatial axes).",
            "Output cell (i, j) of map f sees the window xp[n, :, i*S : i*S+K, j*S : j*S+K]: "
            "multiply it by w[f], sum, and add b[f].",
            "Deep learning's convolution does not flip the kernel (it is a cross-correlation).",
        ),
    ),
    Exercise(
        "conv2d-fast", "Convolution vectorised (im2col), forward and backward", "stride-padding",
        "conv2d_fast",
        "Write the convolution as one matrix product over all the windows (im2col), and its "
        "backward pass: dx, dw and db.",
        (
            "Gather the windows into a matrix cols of shape (C*K*K, N*H'*W'): for each kernel "
            "offset (u, v) copy xp[:, :, u:u+S*H':S, v:v+S*W':S] into its rows.",
            "Then out = w.reshape(F, -1) @ cols + b[:, None], reshaped to (F, N, H', W') and "
            "transposed to (N, F, H', W'). Keep cols in the cache.",
            "Backward: dw = dmat @ cols.T, db = dmat.sum(axis=1), dcols = w_mat.T @ dmat, and add "
            "each row of dcols back where it was copied from (col2im), then strip the padding.",
        ),
    ),
    Exercise(
        "pooling", "Max and average pooling, forward and backward", "pooling", "pooling_layers",
        "Write 2x2 max pooling and average pooling (windows that tile the map) and their "
        "backward passes.",
        (
            "Reshape (N, C, H, W) to (N, C, H/s, s, W/s, s): each window is then the axes 3 and 5, "
            "and .max(axis=(3, 5)) or .mean(axis=(3, 5)) pools them all at once.",
            "Average pooling's backward shares each window's gradient equally: dout / s² copied to "
            "the s x s inputs (np.repeat along both axes).",
            "Max pooling's backward sends each window's gradient to the one input that was its "
            "maximum, the first in reading order on a tie: remember where it was in the cache.",
        ),
    ),
    Exercise(
        "lenet-params", "LeNet-5's parameters, layer by layer", "lenet-architecture",
        "lenet_params",
        "Count the weights and biases of a convolutional and a dense layer, then of every layer "
        "of LeNet-5.",
        (
            "A conv layer has one K x K kernel per input channel per filter, plus one bias per "
            "filter: filters · (channels · K² + 1). The image size does not appear.",
            "A dense layer has inputs · units weights and units biases; pooling has none.",
            "C1: 6 filters of 5x5 on 1 channel; C3: 16 filters on 6 channels; C5: 120 on 16; "
            "F6: 120 -> 84; output: 84 -> 10. The total is 61,706.",
        ),
    ),
    Exercise(
        "lenet-train", "LeNet-5 from your own layers, trained on MNIST", "train-lenet",
        "lenet_train",
        "Assemble LeNet-5 from your convolution, pooling, dense and softmax functions, write its "
        "backward pass and its training loop, and train it on the digits.",
        (
            "Forward: conv C1 (pad 2) -> tanh -> avg pool -> conv C3 -> tanh -> avg pool -> conv C5 "
            "-> tanh -> reshape (N, 120) -> dense F6 -> tanh -> dense output. Keep every cache.",
            "tanh's backward is dout * (1 - y²) with y its output. Walk the layers in reverse "
            "order, each backward taking the gradient the layer above returned.",
            "SGD with momentum 0.9, lr 0.05 and batches of 32 on inputs scaled to "
            "(pixel/255 - 0.1307) / 0.3081, the rate times 0.85 after each epoch, passes 98% in 2 epochs.",
        ),
        needs=("conv2d-fast", "pooling", "dense-layer", "softmax-cross-entropy"),
        limits=TRAINING,
        trains=True,
    ),
)

_BY_ID = {exercise.id: exercise for exercise in EXERCISES}


def get(exercise_id: str) -> Exercise:
    """The exercise with this exact id (KeyError otherwise)."""
    return _BY_ID[exercise_id]


def find(query: str) -> tuple[Exercise | None, str]:
    """The exercise named by an id, a unique prefix, or its file name; else (None, one line)."""
    query = query.strip().lower().removesuffix(".py")
    for exercise in EXERCISES:
        if query in (exercise.id, exercise.module):
            return exercise, ""
    matches = [e for e in EXERCISES if e.id.startswith(query)]
    if len(matches) == 1:
        return matches[0], ""
    if matches:
        return None, f"'{query}' matches several exercises: {', '.join(e.id for e in matches)}."
    close = difflib.get_close_matches(query, list(_BY_ID), n=3, cutoff=0.5)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    return None, f"no exercise '{query}'.{hint} `dl-tutor exercises` lists them all."
