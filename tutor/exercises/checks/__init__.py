"""One module of checks per exercise (named like the exercise's file), each defining `CHECKS`,
a `tutor.exercises.checking.Checklist`. Imported only in the sandbox child."""
