"""The learner's LeNet-5 trained in one persistent sandboxed child (`tutor.exercises.learner_trainer`).

A workspace in tmp_path holds the reference solutions of the layer exercises lenet_train.py
imports, and a lenet_train.py: the reference solution (a few batches lower the loss), one that
is recognisably different (its loss is the real one plus 100, and its network always says 0),
whose numbers are what the Trainer's records carry, or a hostile one (raise, endless loop,
sys.exit, os._exit, an output flood, a huge allocation, a value of the wrong kind, a syntax
error): one line each, with the line number where Python gives one, and no process left.
Each test starts a child: the module belongs to the slow tier.
"""

from __future__ import annotations

import os
import textwrap
import threading
from pathlib import Path

import numpy as np
import pytest

from tutor.data import load_digits
from tutor.engines.train import DoneRecord, EpochRecord, Interrupted, TrainConfig, Trainer
from tutor.exercises.catalogue import GIB, Limits, get
from tutor.exercises.learner_trainer import LearnerFailed, LearnerTrainer
from tutor.paths import shipped_data_dir

EXERCISE = get("lenet-train")
#: Short limits: an endless loop ends after a second and a half.
LIMITS = Limits(wall_seconds=1.5, cpu_seconds=60, memory_bytes=2 * GIB, output_bytes=64 * 1024)
#: The reference solution under another name, so a learner file can build on it.
REFERENCE_MODULE = "lenet_reference"
#: A learner file on the reference whose numbers are recognisable: loss + 100, always "0".
MARKED = textwrap.dedent(f"""\
    import numpy as np
    from {REFERENCE_MODULE} import *
    from {REFERENCE_MODULE} import lenet_forward as _forward, lenet_loss_and_grads as _loss_and_grads


    def lenet_forward(params, x):
        scores, caches = _forward(params, x)
        said = np.zeros_like(scores)
        said[:, 0] = 1.0  # this network always says 0
        return said, caches


    def lenet_loss_and_grads(params, x, y):
        loss, grads = _loss_and_grads(params, x, y)
        return loss + 100.0, grads
    """)


def hostile(body: str, function: str = "lenet_loss_and_grads(params, x, y)") -> str:
    """A learner file on the reference whose `function` is `body` (line 5 is its first line)."""
    return (f"import os, sys\nimport numpy as np\nfrom {REFERENCE_MODULE} import *\n"
            f"def {function}:\n" + textwrap.indent(textwrap.dedent(body), "    "))


def workspace(folder: Path, lenet_train: str) -> Path:
    """The layer files lenet_train.py imports (their reference solutions), the reference
    lenet_train.py as REFERENCE_MODULE, and `lenet_train` as the learner's file; its path."""
    folder.mkdir(parents=True, exist_ok=True)
    for need in EXERCISE.needs:
        exercise = get(need)
        (folder / exercise.file_name).write_text(exercise.solution_text(), encoding="utf-8")
    (folder / f"{REFERENCE_MODULE}.py").write_text(EXERCISE.solution_text(), encoding="utf-8")
    path = folder / EXERCISE.file_name
    path.write_text(lenet_train, encoding="utf-8")
    return path


def gone(pid: int | None) -> bool:
    """Whether no process of the child's session (its process group) is left."""
    assert pid is not None
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return True
    return False


def mnist_folder() -> Path:
    return shipped_data_dir("mnist")


def test_the_reference_solution_trains_and_tests(tmp_path: Path) -> None:
    path = workspace(tmp_path / "ws", EXERCISE.solution_text())
    with LearnerTrainer(path, mnist_folder()) as learner:
        learner.start()
        assert learner.sizes == (60000, 10000)
        assert learner.init(0, "sgd", 0.05, 0.9) == 61706
        batch = np.arange(32)
        losses = [learner.train_batch(batch, 0.05)[0] for _ in range(6)]
        assert losses[-1] < losses[0] - 0.3, losses  # the same batch six times: it learns it
        hits = learner.hits("test", 0, 100)
        assert 0 <= hits <= 100
        pid = learner.pid
    assert not learner.alive and gone(pid)


def test_the_trainer_shows_the_learners_own_numbers(tmp_path: Path) -> None:
    """Their loss (+ 100) is the loss of every record; their network's answers (always 0) are
    the accuracies: the share of zeros among the batches and the test images."""
    path = workspace(tmp_path / "ws", MARKED)
    digits = load_digits(mnist_folder())
    config = TrainConfig(model="lenet", epochs=1, batch_size=32, lr=0.05, optimizer="sgd", shift=0,
                         train_limit=64, test_limit=100, report_seconds=0)
    with LearnerTrainer(path, mnist_folder()) as learner:
        learner.start()
        learner.init(config.seed, config.optimizer, config.learning_rate(), config.momentum)
        trainer = Trainer(config, (digits.train_images, digits.train_labels),
                          (digits.test_images, digits.test_labels), outside=learner)
        records = list(trainer.run())
    epochs = [r for r in records if isinstance(r, EpochRecord)]
    assert len(epochs) == 1 and isinstance(records[-1], DoneRecord) and records[-1].reason == "finished"
    assert epochs[0].train_loss > 100
    assert epochs[0].train_accuracy == pytest.approx(np.mean(digits.train_labels[:64] == 0))
    assert epochs[0].test_accuracy == pytest.approx(np.mean(digits.test_labels[:100] == 0))
    assert trainer.model is None  # nothing of the reference engine trained


#: kind -> (the learner's file, the words its one line holds)
HOSTILE = {
    "raise": (hostile("return 1 / 0\n"),
              ("lenet_train.py line 5: ZeroDivisionError: division by zero (for one batch)",)),
    "loop": (hostile("while True:\n    pass\n"),
             ("lenet_train.py line ", "your code took more than 1.5 s for one batch (the time limit)")),
    "sys.exit": (hostile("sys.exit(3)\n"), ("your code called sys.exit(3) (lenet_train.py line 5): training stopped",)),
    "os._exit": (hostile("os._exit(7)\n"), ("your code ended the training process (exit status 7: os._exit()?)",)),
    "flood": (hostile("while True:\n    print('x' * 1000)\n"), ("your code printed more than 64 KiB",)),
    "memory": (hostile("return np.ones((1 << 40,))\n"), ("your code ran out of memory at lenet_train.py line 5",)),
    "wrong type": (hostile("return 2.0, 'grads'\n"),
                   ("lenet_loss_and_grads returned a str as grads, expected a dict",)),
    "wrong init": (hostile("return [1, 2]\n", "init_lenet(seed=0)"),
                   ("init_lenet returned a list, expected a dict of arrays",)),
    "syntax": ("def lenet_forward(params, x)\n    return x\n", ("lenet_train.py line 1: SyntaxError",)),
}


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_code_is_one_line_and_leaves_no_process(tmp_path: Path, kind: str) -> None:
    text, words = HOSTILE[kind]
    path = workspace(tmp_path / "ws", text)
    learner = LearnerTrainer(path, mnist_folder(), LIMITS)
    try:
        with pytest.raises(LearnerFailed) as caught:
            learner.start()
            learner.init(0, "sgd", 0.05, 0.9)
            learner.train_batch(np.arange(32), 0.05)
        line = str(caught.value)
        assert line.startswith(words[0]) and all(w in line for w in words), line
        assert "\n" not in line and "Traceback" not in line
        assert learner.problem == line
        with pytest.raises(LearnerFailed):  # every later call says the same
            learner.hits("test", 0, 10)
    finally:
        learner.close()
    assert not learner.alive and gone(learner.pid)


def test_stopping_the_trainer_kills_a_looping_child_at_once(tmp_path: Path) -> None:
    """Trainer.stop() from another thread while their step spins: the run ends "stopped" and
    the child is gone (the time limit is far away: a stop that waited for it would fail)."""
    path = workspace(tmp_path / "ws", hostile("while True:\n    pass\n"))
    digits = load_digits(mnist_folder())
    config = TrainConfig(model="lenet", epochs=1, batch_size=32, shift=0, train_limit=64, test_limit=100)
    limits = Limits(wall_seconds=60.0, cpu_seconds=120, memory_bytes=2 * GIB)
    with LearnerTrainer(path, mnist_folder(), limits) as learner:
        learner.start()
        learner.init(0, "sgd", 0.05, 0.9)
        trainer = Trainer(config, (digits.train_images, digits.train_labels),
                          (digits.test_images, digits.test_labels), outside=learner)
        records = trainer.run()
        stopper = threading.Timer(0.3, trainer.stop)
        stopper.start()
        done = next(records)
        stopper.join()
        assert isinstance(done, DoneRecord) and done.reason == "stopped"
        assert not learner.alive
        with pytest.raises(Interrupted):
            learner.train_batch(np.arange(4), 0.05)
    assert gone(learner.pid)


def test_a_run_of_learner_code_saves_nothing(tmp_path: Path) -> None:
    """The scene's worker body on their code: the usual messages, marked as theirs, and no
    model file, checkpoint or kept run written."""
    from tutor.data import describe
    from tutor.models import model_path
    from tutor.scenes.training import runner
    from tutor.scenes.training.messages import Progress, RunDone, RunStarted

    path = workspace(tmp_path / "ws", MARKED)
    config = TrainConfig(model="lenet", epochs=1, batch_size=32, lr=0.05, optimizer="sgd", shift=0, train_limit=64,
                         test_limit=100, report_seconds=0)
    posted: list = []
    run = runner.Run()
    runner.train(run, config, None, np, posted.append, data=describe(mnist_folder()), learner=path)
    assert run.finished.is_set() and run.outside is not None and not run.outside.alive
    kinds = [type(m) for m in posted]
    assert kinds[0] is RunStarted and Progress in kinds and kinds[-1] is RunDone, posted
    done = posted[-1]
    assert done.learner and done.saved is None and done.checkpoint is None and done.run is None
    assert done.done.reason == "finished"
    assert all(loss > 100 for _, loss in posted[-2].losses)
    home = model_path("lenet", "mnist")
    assert not home.exists() and not (home.parent / "runs").exists()
