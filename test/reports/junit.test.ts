/**
 * Goal: the JUnit XML is well formed, escapes what it must, and maps scenarios to
 * testsuites, clause verdicts to testcases (failure for violated, skipped for unknown),
 * and an inconclusive run to an error testcase. Method: render the fixture suite and
 * check the XML with a small well-formedness checker (itself checked on bad input),
 * element counts and attributes.
 */
import { describe, expect, it } from 'vitest';
import { toJunitXml } from '../../reports/junit.ts';
import { suiteFixture } from './fixtures.ts';
import { xmlProblems } from './xml.ts';

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

function rootAttributes(xml: string): Record<string, string> {
  const tag = /<testsuites\b([^>]*)>/.exec(xml)?.[1] ?? '';
  return Object.fromEntries([...tag.matchAll(/([\w-]+)="([^"]*)"/g)].map((match) => [match[1]!, match[2]!]));
}

describe('xmlProblems (the test helper)', () => {
  it('rejects bad nesting, raw < and " in attributes, stray &, and unclosed CDATA', () => {
    expect(xmlProblems('<a><b></a></b>')).not.toEqual([]);
    expect(xmlProblems('<a x="1 < 2"/>')).not.toEqual([]);
    expect(xmlProblems('<a x="say "hi""/>')).not.toEqual([]);
    expect(xmlProblems('<a>fish & chips</a>')).not.toEqual([]);
    expect(xmlProblems('<a><![CDATA[x]]></a><![CDATA[y</a>')).not.toEqual([]);
    expect(xmlProblems('<a><![CDATA[x]]> y ]]></a>')).not.toEqual([]);
    expect(xmlProblems('<?xml version="1.0"?><a x="&lt;&amp;&quot;"><![CDATA[<&">]]>ok &amp; fine</a>')).toEqual([]);
  });
});

describe('toJunitXml', () => {
  const xml = toJunitXml(suiteFixture());

  it('is well formed', () => {
    expect(xml.startsWith('<?xml')).toBe(true);
    expect(xmlProblems(xml)).toEqual([]);
  });

  it('has one testsuite per scenario and one testcase per verdict, plus one for the inconclusive run', () => {
    expect(count(xml, '<testsuite ')).toBe(3);
    expect(count(xml, '<testcase ')).toBe(8);
    expect(count(xml, '<failure ')).toBe(2);
    expect(count(xml, '<error ')).toBe(1);
    expect(count(xml, '<skipped/>')).toBe(1);
    expect(rootAttributes(xml)).toMatchObject({
      name: 'flowconform run',
      tests: '8',
      failures: '2',
      errors: '1',
      skipped: '1',
    });
  });

  it('names testcases by clause id and MUST sentence, with the scenario as classname', () => {
    expect(xml).toContain(
      '<testcase classname="cancel-nested-win32" name="RUN-CANCEL-01: A run in CANCELLING MUST reach CANCELLED within cancelBoundMs.">',
    );
    expect(xml).toMatch(/<testsuite name="cancel-nested-win32"[^>]* tests="3" failures="2" errors="0" skipped="0"/);
  });

  it('puts violation messages in failures, escaped in attributes and intact in the body', () => {
    expect(xml).toContain('type="RUN-CANCEL-01"');
    expect(xml).toContain('message="run parent stayed in CANCELLING for 5000 ms > cancelBoundMs 4000 (pid &lt;object> &amp; &quot;quoted&quot;');
    expect(xml).not.toMatch(/message="[^"]*<object/);
    expect(xml).toContain('<![CDATA[run parent stayed in CANCELLING for 5000 ms > cancelBoundMs 4000 (pid <object> & "quoted" ]] > end ]] > again) (seq 30, entity parent)]]>');
    expect(xml).toContain('message="run parent: 7 kill-failed events > killAttemptsMax 3 (seq 32, entity parent)" type="RUN-CANCEL-04"');
  });

  it('marks unknown verdicts skipped with the reason, and an inconclusive run as an error with its reason', () => {
    expect(xml).toMatch(/name="WF-TERMINAL-01: [^"]*">\s*<skipped\/>\s*<system-out><!\[CDATA\[verdict unknown: trace ended before terminateBoundMs\]\]>/);
    expect(xml).toContain(
      '<testcase classname="terminate-archive-failing" name="terminate-archive-failing (inconclusive)">',
    );
    expect(xml).toContain('<error message="engine crashed: exit code 139 during step 2 (terminate)" type="inconclusive">');
  });

  it('keeps no state between calls', () => {
    expect(toJunitXml(suiteFixture())).toBe(xml);
  });
});
