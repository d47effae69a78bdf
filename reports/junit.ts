/**
 * JUnit XML for CI (Jenkins, GitLab, GitHub test reporters). The mapping:
 *
 * - `<testsuites name="flowconform <command>">` for the suite;
 * - one `<testsuite>` per scenario (name = scenario name, time = its wall time in s,
 *   properties: platform, seed, bug, file, tracePath, and the engine: `engine` (name),
 *   `engineVersion`, `engineCommand`, `checkedFamilies` and `uncheckedFamilies` (comma
 *   separated clause families, `none` when empty); `engine` is `not started` when no
 *   engine answered);
 * - one `<testcase>` per clause verdict (classname = scenario name, name = clause id and
 *   the start of its MUST sentence):
 *   - valid: an empty testcase;
 *   - violated: `<failure message="…" type="<clause id>">` with every violation message,
 *     one per line, in the body;
 *   - unknown: `<skipped/>` with the reasons in `<system-out>`. Skipped, not error,
 *     because 'unknown' is not a finding about the engine (Jepsen's info): the trace
 *     could not decide. It never passes silently, it shows as skipped, and a run whose
 *     unknowns come from a crash or timeout is inconclusive, which adds its own error
 *     testcase (next point), so CI still goes red then. `junit-report-builder` gives
 *     `<skipped>` no message, hence `<system-out>`.
 * - an inconclusive scenario gets a first testcase `<scenario> (inconclusive)` with
 *   `<error type="inconclusive" message="<reason>">`.
 * - a scenario marked failed without any violated verdict (a harness inconsistency)
 *   gets a failure testcase saying so, so that it is never green in CI.
 * - a not-applicable scenario (the engine lacks a capability its steps need) is one
 *   testcase `<scenario> (not applicable)` with
 *   `<skipped message="not applicable: engine lacks operation deploy, entity workflow"/>`
 *   and nothing else: it is neither a pass nor a failure, and its verdicts (the runner
 *   gives none) are not rendered, so that nothing about it can turn CI red.
 */
import junitReportBuilder, { type Builder, type TestCase } from 'junit-report-builder';
import type { ClauseVerdict, EngineInfo, ScenarioResult, SuiteResult } from '../harness/result.ts';
import { findClause, inconclusiveReason, listOrNone, missingText, truncate, uncheckedFamilies } from './text.ts';

/**
 * The package's types declare `export default builder`, but its CommonJS entry does
 * `module.exports = builder`; under `moduleResolution: NodeNext` TypeScript therefore types
 * the default import as the module namespace. At run time (Node, tsx, vitest) the default
 * import is the builder itself; accept both shapes rather than trust either.
 */
const importedBuilder = junitReportBuilder as unknown as Builder | { default: Builder };
const rootBuilder: Builder = 'newBuilder' in importedBuilder ? importedBuilder : importedBuilder.default;

/** Longest part of a MUST sentence put in a testcase name (characters). */
const mustInNameLengthMax = 80;

/** Longest `message` attribute of a failure or error (characters); the body has the full text. */
const messageLengthMax = 300;

/**
 * CDATA cannot contain `]]>`, and xmlbuilder 15 only splits its first occurrence, so a
 * second one would end the section early. Break every one with a space instead.
 */
function cdataSafe(text: string): string {
  return text.replaceAll(']]>', ']] >');
}

/** The xmlbuilder element a testcase builds into; typed through the package, which does not re-export it. */
type TestCaseElement = ReturnType<TestCase['build']>;

/**
 * Marks the testcase skipped with a `message` attribute. junit-report-builder 5's
 * `skipped()` takes no message, and its classes are not exported to extend, so this wraps
 * the one instance's `build` and sets the attribute on the `<skipped>` element it made.
 * Jenkins, GitLab and Surefire read `<skipped message>`; a `<system-out>` alone would be
 * shown only on demand. The attribute value is escaped by xmlbuilder.
 */
function skipWithMessage(testCase: TestCase, message: string): void {
  testCase.skipped();
  const build = testCase.build.bind(testCase);
  testCase.build = (parentElement: Parameters<TestCase['build']>[0]): TestCaseElement => {
    const element = build(parentElement);
    const skipped = element.children.find(
      (child): child is TestCaseElement => (child as Partial<TestCaseElement>).name === 'skipped',
    );
    if (skipped === undefined) throw new Error('toJunitXml: junit-report-builder built no <skipped> element to annotate');
    skipped.att('message', message);
    return element;
  };
}

/** Testcase name of a clause: `RUN-CANCEL-01: A run in CANCELLING MUST reach CANCELLED…`. */
export function junitTestcaseName(clauseId: string): string {
  const clause = findClause(clauseId);
  if (clause === undefined) return `${clauseId}: (not in the clause registry)`;
  return `${clauseId}: ${truncate(clause.must, mustInNameLengthMax)}`;
}

function violationLine(verdict: ClauseVerdict, index: number): string {
  const violation = verdict.violations[index]!;
  const where = [
    violation.seq === null ? 'whole trace' : `seq ${violation.seq}`,
    violation.entity === undefined ? null : `entity ${violation.entity}`,
  ]
    .filter((part) => part !== null)
    .join(', ');
  return `${violation.message} (${where})`;
}

/** The engine properties of a testsuite, in order (see the module comment). */
function engineProperties(engine: EngineInfo | null): [name: string, value: string][] {
  if (engine === null) {
    return [
      ['engine', 'not started'],
      ['checkedFamilies', 'none'],
      ['uncheckedFamilies', listOrNone(uncheckedFamilies(null))],
    ];
  }
  return [
    ['engine', engine.name],
    ['engineVersion', engine.version],
    ['engineCommand', engine.command],
    ['checkedFamilies', listOrNone(engine.checkedFamilies)],
    ['uncheckedFamilies', listOrNone(uncheckedFamilies(engine))],
  ];
}

function addScenario(builder: Builder, suite: SuiteResult, result: ScenarioResult): void {
  const testSuite = builder
    .testSuite()
    .name(result.scenario)
    .timestamp(suite.startedAt)
    .time(result.durationMs / 1000)
    .property('platform', result.platform)
    .property('seed', String(result.seed));
  if (result.bug !== null) testSuite.property('bug', result.bug);
  if (result.file !== null) testSuite.property('file', result.file);
  if (result.tracePath !== null) testSuite.property('tracePath', result.tracePath);
  // The scenario's own engine when it reached one; the suite's otherwise (same command).
  for (const [name, value] of engineProperties(result.engine ?? suite.engine)) testSuite.property(name, value);

  if (result.outcome === 'not-applicable') {
    const testCase = testSuite.testCase().className(result.scenario).name(`${result.scenario} (not applicable)`);
    // Not cut like failure messages: the list is short (one entry per capability) and
    // there is no body to hold the rest.
    skipWithMessage(testCase, `not applicable: ${missingText(result.missingCapabilities)}`);
    return;
  }

  if (result.outcome === 'inconclusive') {
    const reason = inconclusiveReason(result);
    testSuite
      .testCase()
      .className(result.scenario)
      .name(`${result.scenario} (inconclusive)`)
      .error(truncate(reason, messageLengthMax), 'inconclusive', cdataSafe(reason));
  }

  if (result.outcome === 'fail' && !result.verdicts.some((verdict) => verdict.valid === false)) {
    testSuite
      .testCase()
      .className(result.scenario)
      .name(`${result.scenario} (failed)`)
      .failure('scenario marked failed but no clause verdict is violated (harness inconsistency)', 'harness');
  }

  for (const verdict of result.verdicts) {
    const testCase = testSuite.testCase().className(result.scenario).name(junitTestcaseName(verdict.clauseId));
    if (verdict.valid === false) {
      const lines = verdict.violations.map((_, index) => violationLine(verdict, index));
      const count = verdict.violations.length;
      const headline =
        count === 0
          ? 'violated (no violation message recorded)'
          : count === 1
            ? lines[0]!
            : `${count} violations; first: ${lines[0]!}`;
      testCase.failure(truncate(headline, messageLengthMax), verdict.clauseId);
      if (lines.length > 0) testCase.stacktrace(cdataSafe(lines.join('\n')));
    } else if (verdict.valid === 'unknown') {
      const reasons = verdict.unknownReasons.length > 0 ? verdict.unknownReasons : ['no reason recorded'];
      testCase.skipped().standardOutput(cdataSafe(`verdict unknown: ${reasons.join('; ')}`));
    }
  }
}

/**
 * The suite as a JUnit XML document (UTF-8, pretty-printed). Pure: builds on a fresh
 * `newBuilder()` each call, so there is no global state and nothing is written to disk.
 */
export function toJunitXml(suite: SuiteResult): string {
  const builder = rootBuilder.newBuilder().name(`flowconform ${suite.command}`);
  for (const result of suite.results) addScenario(builder, suite, result);
  return builder.build();
}
