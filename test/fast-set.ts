// The fast set `npm run mutate` runs (docs/mutation.md): the pure unit tests, no tmux, loaded into
// one process, since starting node with tsx once per test file and mutant is most of the cost.
import './views.test.ts'
import './doctor.test.ts'
import './unit-rules.test.ts'
import './unit-cli.test.ts'
import './unit-settings.test.ts'
