"""The `dl-tutor` command line.

Fast paths (`--help`, `--version`, `list`, `review`, `progress`) import neither Textual nor NumPy;
`check-lessons` needs NumPy only to try each predict question's generator, and the app and the
doctor import what they need when they run.
"""

from __future__ import annotations

import argparse
import gc
import difflib
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tutor import __version__
from tutor.paths import SHIPPED_DATA

if TYPE_CHECKING:
    from tutor.app import TutorApp
    from tutor.content import Course, Lesson

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
BACKENDS = ("auto", "numpy", "cupy")
COLOR_CHOICES = ("auto", "truecolor", "256", "16", "none")
WEB_HOST, WEB_PORT = "127.0.0.1", 8000
LOW_BANDWIDTH_FPS = 8


def _global_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    """Options valid before or after the sub-command."""
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--backend", choices=BACKENDS, default=default,
        help="array backend: auto (CuPy when a GPU works, else NumPy), numpy or cupy"
        " (default: $DL_TUTOR_BACKEND or auto)",
    )
    parser.add_argument(
        "--lessons", metavar="PATH", type=Path, default=default,
        help="a course folder holding course.toml (default: the shipped course)",
    )
    parser.add_argument(
        "--colors", choices=COLOR_CHOICES, default=default,
        help="colours for terminals that misreport themselves: auto (default), truecolor, 256, 16"
        " or none (shading characters and numbers only)",
    )
    parser.add_argument(
        "--low-bandwidth", action="store_true", default=default,
        help="for slow links: fewer frames per second, fewer grey levels, 256 colours, and"
        " animations paused while hidden (default: $DL_TUTOR_LOW_BANDWIDTH)",
    )
    parser.add_argument(
        "--data", choices=SHIPPED_DATA, default=default,
        help="the shipped data set to use: mnist (digits, the default) or fashion-mnist (clothes)",
    )
    parser.add_argument(
        "--data-dir", metavar="PATH", type=Path, default=default,
        help="another data set in MNIST's layout (IDX files + dataset.toml); not with --data"
        " (default: $DL_TUTOR_DATA_DIR or the shipped MNIST)",
    )


def _web_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    """`--web`, `--host`, `--port`, `--token`, `--max-sessions`: serve the app to a browser."""
    group = parser.add_argument_group("in a browser (needs the web extra: pip install 'dl-tutor[web]')")
    group.add_argument(
        "--web", action="store_true", default=argparse.SUPPRESS if suppress else False,
        help="serve the tutor to a web browser instead of drawing it in this terminal",
    )
    group.add_argument(
        "--host", default=argparse.SUPPRESS if suppress else WEB_HOST,
        help=f"address to listen on with --web (default: {WEB_HOST}, this machine only;"
        " anything else is reachable by others and prints a warning)",
    )
    group.add_argument(
        "--port", type=int, default=argparse.SUPPRESS if suppress else WEB_PORT,
        help=f"port to listen on with --web (default: {WEB_PORT})",
    )
    group.add_argument(
        "--token", default=argparse.SUPPRESS if suppress else None,
        help="the secret a browser needs with --web (default: $DL_TUTOR_WEB_TOKEN, else a new"
        " random one, printed in the link); other users see --token in `ps`, so prefer the variable",
    )
    group.add_argument(
        "--max-sessions", type=int, metavar="N", default=argparse.SUPPRESS if suppress else None,
        help="most browser tabs running a tutor at once with --web (default: 4)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `dl-tutor`."""
    parser = argparse.ArgumentParser(
        prog="dl-tutor",
        description="A terminal tutor for deep learning, from the single neuron to LeNet-5.",
        epilog="Progress is kept in $DL_TUTOR_HOME (default: your user data folder). "
        "Run `dl-tutor doctor` if something looks wrong.",
    )
    parser.add_argument("--version", action="version", version=f"dl-tutor {__version__}")
    _global_options(parser, suppress=False)
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, suppress=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p_run = sub.add_parser("run", parents=[common], help="open the course map (the default)")
    p_open = sub.add_parser("open", parents=[common], help="open a lesson by id or unique prefix")
    p_open.add_argument("lesson", metavar="LESSON")
    for target in (parser, p_run, p_open):
        _web_options(target, suppress=target is not parser)
        target.add_argument(
            "--workspace", metavar="PATH", type=Path,
            default=argparse.SUPPRESS if target is not parser else None,
            help="the folder for your exercise files (default: $DL_TUTOR_WORKSPACE, else 'exercises'"
            " in the data folder); `dl-tutor exercises --workspace PATH` reads the same folder",
        )
    sub.add_parser("list", parents=[common], help="list lessons with completion, score and first tries")
    p_review = sub.add_parser(
        "review", parents=[common], help="show the missed questions due for review (take them in the tutor)",
    )
    p_review.add_argument(
        "--all", action="store_true", help="list every question in review, due or not",
    )
    sub.add_parser("doctor", parents=[common], help="check the installation, backend and terminal")
    p_check = sub.add_parser("check-lessons", parents=[common], help="validate a lesson tree")
    p_check.add_argument("path", nargs="?", type=Path, metavar="PATH")
    p_check.add_argument(
        "--strict", action="store_true",
        help="also fail on teaching warnings (a distractor without its reason, a numeric "
        "question with no diagnosed mistake, an answer visible before its question)",
    )
    p_progress = sub.add_parser("progress", parents=[common], help="reset or export progress")
    group = p_progress.add_mutually_exclusive_group(required=True)
    group.add_argument(
        "--reset", nargs="?", const="", metavar="LESSON",
        help="forget progress of LESSON, or of everything (a timestamped backup is kept)",
    )
    group.add_argument(
        "--export", metavar="FILE", type=Path,
        help="write progress as JSON, or as a Markdown report for an instructor when FILE ends in .md",
    )
    from tutor.train_cli import add_parser as add_train

    add_train(sub, [common])
    from tutor.exercises.cli import add_parser as add_exercises

    add_exercises(sub, [common])
    return parser


def _error(message: str) -> None:
    print(f"dl-tutor: {message}", file=sys.stderr)


def _lessons_path(args: argparse.Namespace) -> Path:
    from tutor.paths import default_lessons_dir

    return args.lessons or default_lessons_dir()


def _load_course(args: argparse.Namespace, cached: bool = False) -> "Course | None":
    """Load the course or print its problems (one per line) and return None; `cached`: through
    the checked course kept in the cache folder (the app's start, ~0.1 s sooner)."""
    from tutor.content import CourseError, load_course

    try:
        if cached:  # the app's start: NumPy and the UI are about to load anyway
            from tutor.content.loader import load_course_cached
            from tutor.data import cache_dir

            return load_course_cached(_lessons_path(args), cache_dir())
        return load_course(_lessons_path(args))
    except CourseError as error:
        _error(f"the course at {_lessons_path(args)} has {len(error.issues)} problem(s):")
        for issue in error.issues:
            print(f"  {issue}", file=sys.stderr)
        print("Fix them (see `dl-tutor check-lessons PATH`) and start again.", file=sys.stderr)
        return None


def find_lesson(course: "Course", query: str) -> "tuple[Lesson | None, str]":
    """Resolve an id or unique prefix; on failure return (None, one-line message)."""
    matches = course.find(query)
    if len(matches) == 1:
        return matches[0], ""
    ids = [lesson.id for lesson in course.lessons]
    if matches:
        names = ", ".join(lesson.id for lesson in matches)
        return None, f"'{query}' matches several lessons: {names}. Type more of the id."
    close = difflib.get_close_matches(query, ids, n=3, cutoff=0.4)
    close += [lesson.id for lesson in course.lessons if query.lower() in lesson.title.lower() and lesson.id not in close]
    hint = f" Did you mean: {', '.join(close)}?" if close else " `dl-tutor list` shows them all."
    return None, f"no lesson '{query}'.{hint}"


#: `dl-tutor list`'s mark for each lesson status (`tutor.session.Session.status`).
LIST_MARKS = {"done": "[x]", "started": "[~]", "new": "[ ]"}


def cmd_list(args: argparse.Namespace) -> int:
    """Print every lesson with its completion mark and score, as plain text."""
    from tutor.exercises.tracking import lesson_notes
    from tutor.session import Session

    course = _load_course(args)
    if course is None:
        return EXIT_PROBLEMS
    session, warning = Session.load(course, move_damaged=False)  # read-only: report, move nothing
    if warning:
        _error(warning)
    print(course.title)
    id_width = max(len(lesson.id) for lesson in course.lessons)
    # 80 columns: "  [x]  1. " + id + " " + title + " " + "10/10" + "  first try 10/10"
    title_width = max(12, LIST_WIDTH - 10 - id_width - 1 - 1 - 5 - 17)
    number = 0
    for unit in course.units:
        print(f"\n{unit.title}")
        for lesson in unit.lessons:
            number += 1
            correct, total = session.score(lesson)
            mark = LIST_MARKS[session.status(lesson)]
            score = f"{correct}/{total}" if total else "-"
            first, attempted = session.first_try(lesson)
            tries = f"first try {first}/{attempted}" if attempted else ""
            title = _shorten(lesson.title, title_width)
            line = f"  {mark} {number:>2}. {lesson.id:<{id_width}} {title:<{title_width}} {score:>5}  {tries}"
            print(line.rstrip())
            for note in lesson_notes(session.progress, lesson):  # its hands-on exercises
                print(_shorten(f"{'':11}{note}", LIST_WIDTH))
    print("\n[x] complete  [~] started  [ ] not started.  first try: questions right on")
    print("the first attempt, of those tried.  Open a lesson with: dl-tutor open LESSON")
    due = session.due_reviews()
    if due:
        print(f"{_count(len(due), 'missed question')} due for review: `dl-tutor review` lists them.")
    return EXIT_OK


#: The width `dl-tutor list` and `dl-tutor review` keep their lines within.
LIST_WIDTH = 80


def _shorten(text: str, width: int) -> str:
    """`text` cut to `width` characters, ending in "…" when cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


def _count(n: int, word: str) -> str:
    """"1 question", "3 questions"."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def cmd_review(args: argparse.Namespace) -> int:
    """Print the questions due for review (lesson, question, box, due day) and how to take them.

    Read-only: answering needs the question card (choices in the learner's order, fresh numbers
    for predict questions, hints), so review and the mixed quiz are taken in the tutor (`v` on
    the course map)."""
    from tutor.review import AT_ONCE, describe_day
    from tutor.session import Session

    course = _load_course(args)
    if course is None:
        return EXIT_PROBLEMS
    session, warning = Session.load(course, move_damaged=False)  # read-only: report, move nothing
    if warning:
        _error(warning)
    today = session.clock()
    due = session.due_reviews()
    shown = session.scheduled_reviews() if args.all else due
    if not session.scheduled_reviews():
        print("Nothing to review yet: questions you do not get right on the first try come "
              "back here,\nspaced out over days (box 1: the next day, then 3, 7, 14 and 30 days).")
        return EXIT_OK
    print(f"Review, {today.isoformat()}: {_count(len(due), 'question')} due.")
    if shown:
        id_width = max(6, max(len(item.lesson.id) for item in shown))
        question_width = max(8, max(len(item.question.id) for item in shown))
        print(f"\n  {'lesson':<{id_width}}  {'question':<{question_width}}  box  due")
        for item in shown:
            day = item.due or AT_ONCE
            when = "now" if day == AT_ONCE else day.isoformat()
            flag = "  (due)" if args.all and day <= today else ""
            print(f"  {item.lesson.id:<{id_width}}  {item.question.id:<{question_width}}  "
                  f"{item.box:>3}  {when}{flag}")
    coming = session.next_review()
    if coming is not None and coming.due is not None:
        print(f"\nNext one comes back {describe_day(coming.due, today)}: {coming.question.id} "
              f"(box {coming.box}).")
    if due:
        print("\nTake them in the tutor: run `dl-tutor`, then press v on the course map.")
    print("A right answer moves a question up a box (it comes back later); a wrong one,")
    print("back to box 1 (the next day). The mixed quiz (m in review) is in the tutor too.")
    return EXIT_OK


def cmd_check_lessons(args: argparse.Namespace) -> int:
    """Validate a lesson tree; exit 1 with one line per problem."""
    from tutor.content import CourseError, load_course

    path = args.path or _lessons_path(args)
    try:
        course = load_course(path)
    except CourseError as error:
        for issue in error.issues:
            print(issue)
        print(f"{len(error.issues)} problem(s) in {path}", file=sys.stderr)
        return EXIT_PROBLEMS
    # Deeper check: every predict question can really produce a problem.
    from tutor.quiz import instantiate

    problems = []
    for lesson in course.lessons:
        for question in lesson.questions.values():
            if question.kind == "predict":
                try:
                    instantiate(question, seed=0)
                except Exception as error:  # a broken template or generator parameter
                    problems.append(
                        f"{lesson.path / 'lesson.toml'}: questions ({question.id}): "
                        f"cannot generate a problem: {error}"
                    )
    for problem in problems:
        print(problem)
    if problems:
        return EXIT_PROBLEMS
    from tutor.content.rules import teaching_warnings

    warnings = teaching_warnings(course)
    for warning in warnings:
        print(warning)
    steps = sum(len(lesson.steps) for lesson in course.lessons)
    questions = sum(len(lesson.questions) for lesson in course.lessons)
    noted = f" ({len(warnings)} teaching warning(s))" if warnings else ""
    if warnings and getattr(args, "strict", False):
        print(f"{len(warnings)} teaching warning(s) in {path} (--strict)", file=sys.stderr)
        return EXIT_PROBLEMS
    print(f"OK: {path}: {len(course.lessons)} lessons, {steps} steps, {questions} questions{noted}")
    return EXIT_OK


def cmd_progress(args: argparse.Namespace) -> int:
    """Reset (with a backup) or export the progress file."""
    from tutor.progress import ExportTargetError, ProgressSaveError, ProgressStore

    store = ProgressStore()
    exporting = args.export is not None
    progress, warning = store.load(move_damaged=not exporting)  # an export only reads
    if warning and exporting:  # an empty report would claim that nothing was done
        _error(f"{warning} Nothing was exported.")
        return EXIT_PROBLEMS
    if warning:
        _error(warning)
    try:
        if exporting:
            if args.export.suffix.lower() in (".md", ".markdown"):
                from tutor.progress.report import markdown_report

                store.export_text(markdown_report(progress, _load_course(args)), args.export)
            else:
                store.export(progress, args.export)
            print(f"Progress exported to {args.export}")
            return EXIT_OK
        if args.reset and args.reset in progress.lessons:
            lesson_id = args.reset  # an exact recorded id wins, even for a removed lesson
        elif args.reset:
            course = _load_course(args)
            if course is not None:
                lesson, message = find_lesson(course, args.reset)
                if lesson is None and args.reset not in progress.lessons:
                    _error(message)
                    return EXIT_USAGE
                lesson_id = lesson.id if lesson else args.reset
            else:
                lesson_id = args.reset
        else:
            lesson_id = None
        backup = store.backup(progress) if store.path.is_file() else None
        progress.reset(lesson_id)
        store.save(progress)
    except ExportTargetError as error:
        _error(str(error))
        return EXIT_USAGE
    except ProgressSaveError as error:
        _error(str(error))
        return EXIT_PROBLEMS
    what = f"lesson {lesson_id}" if lesson_id else "all lessons"
    kept = f" (previous progress kept in {backup})" if backup else ""
    print(f"Progress reset for {what}{kept}.")
    return EXIT_OK


def cmd_doctor(args: argparse.Namespace) -> int:
    """Print the installation report."""
    from tutor.doctor import report

    lines, ok = report(args.backend, _lessons_path(args))
    print("\n".join(lines))
    return EXIT_OK if ok else EXIT_PROBLEMS


def cmd_run(args: argparse.Namespace) -> int:
    """Start the app (optionally on one lesson)."""
    course = _load_course(args, cached=True)
    if course is None:
        return EXIT_PROBLEMS
    lesson_id = None
    if args.command == "open":
        lesson, message = find_lesson(course, args.lesson)
        if lesson is None:
            _error(message)
            return EXIT_USAGE
        lesson_id = lesson.id
    from tutor.backend import BackendError, select_backend

    if getattr(args, "web", False):
        from tutor.web import serve

        if args.backend == "cupy":  # fail here, once, rather than in every browser tab
            try:
                select_backend("cupy")
            except BackendError as error:
                _error(f"{error} Use --backend numpy or --backend auto.")
                return EXIT_USAGE
        return serve(args, lesson_id)
    from tutor.web import served_by_web  # a browser tab's app reads keys from a pipe, not a tty

    if not served_by_web() and (not sys.stdin.isatty() or not sys.stderr.isatty()):
        _error("the tutor needs an interactive terminal (over SSH, connect with `ssh -t`); "
               "try `dl-tutor list` or `dl-tutor doctor`.")
        return EXIT_USAGE
    try:
        backend = select_backend(args.backend)
    except BackendError as error:
        _error(f"{error} Use --backend numpy or --backend auto.")
        return EXIT_USAGE
    from tutor.app import make_app
    from tutor.escape_key import install

    from tutor.allocator import tune_gc

    if not served_by_web():
        install()  # escape in ~30 ms, not 100-200
    app = make_app(course, backend=backend, open_lesson=lesson_id, handle_signals=True)
    tune_gc()  # what is built so far lives for the session: the collector stops walking it
    app.run()
    return finish_session(app)


def finish_session(app: "TutorApp") -> int:
    """Once the app has returned and the terminal is restored: make sure the progress is on disk,
    print the app's exit notes, and return the exit status.

    A save that failed during the session (a full or read-only disk) is retried, and if it fails
    again the progress is rescued to another folder (`ProgressStore.save_at_exit`): the learner
    is told where in one line, and the exit status is 1 rather than 0."""
    saved, progress_note = app.session.save_at_exit()
    if app.stop_signal is not None and app.stop_signal != signal.SIGHUP:
        kept = "your progress is saved" if saved else "your progress could not be saved (see below)"
        app.exit_notes.insert(0, f"Stopped by {app.stop_signal.name}; {kept}.")
    if progress_note:
        app.exit_notes.append(progress_note)
    for note in app.exit_notes:
        try:
            print(note, file=sys.stderr)
        except OSError:  # the terminal went away (SIGHUP)
            break
    return app.return_code or (EXIT_OK if saved else EXIT_PROBLEMS)


def cmd_train(args: argparse.Namespace) -> int:
    """Train a model headless (see tutor.train_cli)."""
    from tutor.train_cli import cmd_train as train

    return train(args)


def cmd_exercises(args: argparse.Namespace) -> int:
    """The hands-on exercises (see tutor.exercises.cli)."""
    from tutor.exercises.cli import cmd_exercises as exercises

    return exercises(args)


COMMANDS = {
    None: cmd_run, "run": cmd_run, "open": cmd_run, "list": cmd_list, "doctor": cmd_doctor,
    "check-lessons": cmd_check_lessons, "progress": cmd_progress, "train": cmd_train,
    "review": cmd_review, "exercises": cmd_exercises,
}


def _low_bandwidth_terminal(colors: str | None) -> None:
    """In low-bandwidth mode: Textual draws at most LOW_BANDWIDTH_FPS frames a second, and 256
    colours replace truecolor (shorter escape codes) unless --colors asked for a system."""
    from tutor.terminal import color_system, low_bandwidth

    if not low_bandwidth():
        return
    os.environ.setdefault("TEXTUAL_FPS", str(LOW_BANDWIDTH_FPS))
    if colors in (None, "auto") and color_system()[0] == "truecolor":
        os.environ["TEXTUAL_COLOR_SYSTEM"] = "256"


def _leave_a_core_to_the_ui() -> None:
    """In the app, BLAS gets one thread fewer than there are cores, so a training scene never
    takes the core the UI answers keys on (read when NumPy is first imported, which the app
    does later). A count the learner set is kept; `dl-tutor train` keeps every core."""
    from tutor.backend import BLAS_THREADS_ENV, usable_cores

    cores = usable_cores()
    if cores < 2 or "numpy" in sys.modules:
        return
    for name in BLAS_THREADS_ENV:
        os.environ.setdefault(name, str(cores - 1))


def main(argv: list[str] | None = None) -> int:
    """Entry point of `dl-tutor` and `python -m tutor`.

    The cycle collector is off while the app's modules load (hundreds of thousands of objects
    that live for the session, which it would walk again and again: 10-15% of the imports'
    time); `tune_gc` turns it back on once the app is built, and any other command gets it
    back before it runs."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _main(argv, collecting)
    finally:
        if collecting:
            gc.enable()


def _main(argv: list[str] | None, collecting: bool) -> int:
    """`main`, with the collector off until the command runs (see there)."""
    args = build_parser().parse_args(argv)
    if args.backend is None:
        args.backend = (os.environ.get("DL_TUTOR_BACKEND") or "auto").strip().lower()
    if args.backend not in BACKENDS:
        _error(f"DL_TUTOR_BACKEND={args.backend!r} is not one of {', '.join(BACKENDS)}.")
        return EXIT_USAGE
    colors = getattr(args, "colors", None)
    if colors == "none":
        os.environ["NO_COLOR"] = "1"
        os.environ.pop("TEXTUAL_COLOR_SYSTEM", None)
    elif colors not in (None, "auto"):
        # Textual reads this when the app starts; `dl-tutor doctor` reports it too.
        os.environ["TEXTUAL_COLOR_SYSTEM"] = "standard" if colors == "16" else colors
    if getattr(args, "low_bandwidth", None):
        from tutor.terminal import LOW_BANDWIDTH_ENV

        os.environ[LOW_BANDWIDTH_ENV] = "1"
    _low_bandwidth_terminal(colors)
    data_dir = getattr(args, "data_dir", None)
    data = getattr(args, "data", None)
    if data is not None and data_dir is not None:
        _error("--data and --data-dir each choose the data set: give one of them.")
        return EXIT_USAGE
    if data_dir is not None:
        if not data_dir.is_dir():
            _error(f"--data-dir {data_dir}: no such folder.")
            return EXIT_USAGE
        from tutor.paths import DATA_DIR_ENV

        os.environ[DATA_DIR_ENV] = str(data_dir.resolve())
    elif data is not None:  # a shipped set, by name (over $DL_TUTOR_DATA_DIR)
        from tutor.paths import DATA_DIR_ENV, shipped_data_dir

        os.environ[DATA_DIR_ENV] = str(shipped_data_dir(data))
    if args.command in (None, "run", "open"):
        _leave_a_core_to_the_ui()
    workspace = getattr(args, "workspace", None)
    if workspace is not None and args.command in (None, "run", "open"):
        if workspace.exists() and not workspace.is_dir():
            _error(f"--workspace {workspace}: not a folder; give a folder for your exercise files.")
            return EXIT_USAGE
        from tutor.exercises.workspace import WORKSPACE_ENV

        os.environ[WORKSPACE_ENV] = str(workspace.expanduser().resolve())  # the app and its sandboxes
    if collecting and (args.command not in (None, "run", "open") or getattr(args, "web", False)):
        gc.enable()  # the app's own start turns it on (`tune_gc`)
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("\nInterrupted; progress saved so far is kept.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Output piped into e.g. `head`, which stopped reading: not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
