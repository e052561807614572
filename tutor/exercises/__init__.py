"""The hands-on track: the learner writes the NumPy, the tutor checks it in a sandbox.

One home per concept:

* `catalogue`: the exercises in course order (id, title, lesson, file, hints, limits) and the
  package data beside them: `starters/` (what the learner starts from) and `solutions/` (the
  reference solutions). Pure Python, no NumPy: the CLI lists exercises without loading any.
* `workspace`: the learner's folder (default under the data folder, `--workspace` or
  `$DL_TUTOR_WORKSPACE`), writing starters without ever overwriting work, backups on reset,
  and each exercise's last status (a small JSON file in the workspace).
* `sandbox`: the calling side; runs `python -m tutor.exercises.runner` in a child process with a
  wall-time limit, reads its records back from a pipe, caps what the learner's code prints, and
  turns every way the child can end into one line. Learner code is never imported here.
* `runner`: the child; sets its CPU-time, address-space and file-size limits, loads the learner's
  file, runs the checks and writes one JSON record per check on the result pipe.
* `checking`: what the checks are made of (call a learner function, compare with a reference,
  check a gradient numerically), and `checks/`: one module of checks per exercise, holding the
  seed's worked numbers and comparing against the engines in `tutor.engines`.
* `tracking`: an exercise's status as shown, and each check recorded in the learner's progress
  (`Progress.exercises`) beside the workspace's status file.
* `cli`: `dl-tutor exercises [list|start|check|watch|hint|solution|reset]`.

In the app, a lesson step with `exercise = "ID"` shows `tutor.widgets.exercise_panel`.
"""
