"""The training scene's runner and state machine, without Textual's App: a real (tiny) run in
the test's own thread, its messages collected in a list."""

from __future__ import annotations

from typing import Any

import numpy as np

from tests.test_training_scene import digits, real_digits  # noqa: F401, F811  (fixtures)
from tutor.engines.train import TrainConfig
from tutor.model_files import load_checkpoint
from tutor.scenes import training
from tutor.scenes.training.messages import (
    Progress,
    ResultsReady,
    RunDone,
    RunFailed,
    RunStarted,
)
from tutor.scenes.training.runner import Run, evaluate, train
from tutor.scenes.training.state import (
    ENDED,
    RUNNING,
    STATE_LABELS,
    TRANSITIONS,
    State,
    ended_by,
)

#: 1,000 training images in batches of 50, 300 test digits: well under a second.
QUICK = TrainConfig(model="mlp-30-sigmoid", epochs=2, batch_size=50, lr=0.1, optimizer="sgd",
                    train_limit=1000, test_limit=300, report_seconds=0.0)


# The 1,000/300-digit slice and its patch of the loader: the training scene's own fixtures.


class FakeTrainer:
    """What Run hands stop/pause/resume to."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.stopping = False

    def stop(self) -> None:
        self.calls.append("stop")
        self.stopping = True

    def pause(self) -> None:
        self.calls.append("pause")

    def resume(self) -> None:
        self.calls.append("resume")


def test_a_run_trains_saves_and_posts_its_messages_in_order(digits: Any) -> None:
    run, posted = Run(), []
    train(run, QUICK, None, np, posted.append)
    kinds = [type(m) for m in posted]
    assert kinds[0] is RunStarted and kinds[-2:] == [RunDone, ResultsReady] and Progress in kinds
    assert {m.run_id for m in posted} == {run.id} and run.finished.is_set()
    done = posted[-2]
    assert done.done.reason == "finished" and done.save_error == "" and done.checkpoint is None
    assert done.saved == run.saved == training.model_path("mlp-30-sigmoid") and run.saved.is_file()
    last = [m for m in posted if isinstance(m, Progress)][-1]
    assert [e.epoch for e in last.epochs] == [0, 1] and last.last is not None
    results = posted[-1].results
    assert results.count == 300 and results.matrix.sum() == 300 and results.source.endswith("just now")
    assert ended_by(done.done.reason) == State.FINISHED


def test_a_stop_asked_before_the_trainer_exists_reaches_it_and_saves_nothing(digits: Any) -> None:
    run, posted = Run(), []
    run.stop()
    train(run, QUICK, None, np, posted.append)
    assert run.trainer is not None and run.trainer.stopping and run.stopped
    # Stopped before the first batch: the end is posted (the scene waits for it), nothing kept.
    assert [type(m) for m in posted] == [RunStarted, RunDone]
    done = posted[-1]
    assert done.done.reason == "stopped" and done.saved is None and done.checkpoint is None
    assert run.saved is None and not training.stopped_path("mlp-30-sigmoid").exists()


def test_stopping_mid_run_saves_a_checkpoint_that_continues(digits: Any) -> None:
    run, posted = Run(), []

    def post(message: Any) -> None:
        posted.append(message)
        if isinstance(message, Progress) and message.epochs:  # stop once the first epoch is done
            run.stop()

    train(run, QUICK, None, np, post)
    done = next(m for m in posted if isinstance(m, RunDone))
    assert done.done.reason == "stopped" and done.saved == training.stopped_path("mlp-30-sigmoid")
    saved = load_checkpoint(done.saved)
    assert (saved.epoch, saved.batch) == (done.epoch, done.batch) == (1, 0) and done.checkpoint is not None
    assert ended_by("stopped") == State.STOPPED


def test_an_abandoned_discarded_run_saves_nothing_and_posts_no_end(digits: Any) -> None:
    run, posted = Run(), []
    run.discard = run.abandoned = True
    train(run, QUICK, None, np, posted.append)
    assert not any(isinstance(m, (RunDone, ResultsReady)) for m in posted) and run.finished.is_set()
    assert not training.model_path("mlp-30-sigmoid").exists()


def test_pause_resume_and_stop_are_the_trainers_own() -> None:
    run = Run()
    run.pause()
    trainer = FakeTrainer()
    run.attach(trainer)  # the pause asked before the trainer existed reaches it
    run.resume()
    assert trainer.calls == ["pause", "resume"] and not run.stopped
    trainer.stop()  # the trainer's own state is the truth
    assert run.stopped
    other = Run()
    other.pause()
    other.stop()
    late = FakeTrainer()
    other.attach(late)
    assert late.calls == ["stop"]


def test_run_ids_grow_so_old_messages_can_be_told_apart() -> None:
    first, second = Run(), Run()
    assert second.id > first.id and Run(7).id == 7


def test_evaluate_without_a_trained_model_says_why(digits: Any) -> None:
    run, posted = Run(), []
    evaluate(run, "mlp-128-relu", 300, np, posted.append)
    assert [type(m) for m in posted] == [RunFailed] and "No trained mlp-128-relu" in posted[0].error


def test_the_state_machine() -> None:
    assert set(TRANSITIONS) == set(State) == set(STATE_LABELS)
    assert State("training") == "training" and State.PAUSED.running and not State.STOPPED.running
    assert RUNNING == {State.LOADING, State.TRAINING, State.PAUSED, State.STOPPING}
    for state in RUNNING - {State.STOPPING}:
        assert State.STOPPING in TRANSITIONS[state] and ENDED <= TRANSITIONS[state]
    for state in ENDED | {State.IDLE, State.ERROR}:
        assert state.allows(State.LOADING)  # space starts a run
    assert not State.EVALUATING.allows(State.TRAINING) and State.EVALUATING.allows("idle")
    assert ended_by("target") == State.TARGET and ended_by("epochs") == State.FINISHED
