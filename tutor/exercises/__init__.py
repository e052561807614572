"""The hands-on track: the learner writes the NumPy, the tutor checks it in a sandbox.

One home per concept:

* `catalogue`: the exercises in course order (id, title, lesson, file, hints, limits) and the
  package data beside them: `starters/` (what the learner starts from) and `solutions/` (the
  reference solutions). Pure Python, no NumPy: the CLI lists exercises without loading any.
* `workspace`: the learner's folder (default under the data folder, `--workspace` or
  `$DL_TUTOR_WORKSPACE`), writing starters without ever overwriting work, backups on reset,
  and each exercise's last status (a small JSON file in the workspace).
* `sandbox`: the calling side; `run_child` runs a child (`python -m tutor.exercises.runner` for
  the checks) in its own session with a wall-time limit, reads its records back from a pipe,
  caps what the learner's code prints, and kills all it started; `run_checks` turns every way
  the child can end into one line. Learner code is never imported here.
* `learner_calls` and `learner_child`: scenes calling the learner's own functions (one call, or
  a trusted loop over them) in the same kind of child, arrays both ways as .npz, never pickled;
  `LearnerCode` is the scenes' bookkeeping (run ids, cancel, fall back to the reference).
* `learner_trainer` and `learner_trainer_child`: the training scene's run of the learner's own
  LeNet-5 (lenet_train.py): one child for the whole run, kept alive between JSON-line requests
  (build, one batch, evaluate), each under its own time limit; their failure is one line.
* `torch_compare`: `check ID --against torch`, the learner's gradients against PyTorch autograd,
  in the child.
* `bridge` and `bridges/`: each exercise written with Keras and with PyTorch, with what maps to
  what (`dl-tutor exercises bridge ID`, and `b` in the exercise panel).
* `runner`: the child; sets its CPU-time, address-space and file-size limits, loads the learner's
  file, runs the checks and writes one JSON record per check on the result pipe.
* `checking`: what the checks are made of (call a learner function, compare with a reference,
  check a gradient numerically), and `checks/`: one module of checks per exercise, holding the
  seed's worked numbers and comparing against the engines in `tutor.engines`.
* `tracking`: an exercise's status as shown, and each check recorded in the learner's progress
  (`Progress.exercises`) beside the workspace's status file.
* `cli`: `dl-tutor exercises [list|start|check|watch|hint|solution|reset|bridge]`.

In the app, a lesson step with `exercise = "ID"` shows `tutor.widgets.exercise_panel`.
"""
