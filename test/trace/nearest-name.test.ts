/**
 * Goal: the "nearest known name" in messages about unknown states and causes is the one
 * a person meant: edit distance is the textbook one, and case does not count.
 * Method: known distances, and the misspellings the issue that asked for this gave.
 */
import { describe, expect, it } from 'vitest';
import { editDistance, nearestHint, nearestName } from '../../trace/nearest-name.ts';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
    ['COMPLETE', 'COMPLETED', 1],
    ['flaw', 'lawn', 2],
    ['abc', 'abc', 0],
  ])('%j → %j is %i', (left, right, distance) => {
    expect(editDistance(left, right)).toBe(distance);
    expect(editDistance(right, left)).toBe(distance);
  });
});

describe('nearestName', () => {
  const runTypes = ['SCHEDULED', 'PENDING', 'RUNNING', 'CANCELLING', 'COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED'];

  it.each([
    ['COMPLETE', 'COMPLETED'],
    ['Completed', 'COMPLETED'],
    ['CANCELED', 'CANCELLED'],
    ['runing', 'RUNNING'],
  ])('finds %s → %s', (unknown, nearest) => {
    expect(nearestName(unknown, runTypes)).toBe(nearest);
  });

  it('gives nothing for an empty list, and the hint is then empty', () => {
    expect(nearestName('x', [])).toBeUndefined();
    expect(nearestHint('x', [])).toBe('');
    expect(nearestHint('COMPLETE', runTypes)).toBe(" (nearest known: 'COMPLETED')");
  });
});

describe('nearestName with shortened names', () => {
  it('prefers a name that contains the unknown one over one nearer by edit distance', () => {
    const instanceStates = ['SUBMITTED_SUCCESS', 'RUNNING_EXECUTION', 'SUCCESS', 'STOP'];
    expect(editDistance('running', 'success')).toBeLessThan(editDistance('running', 'running_execution'));
    expect(nearestName('RUNNING', instanceStates)).toBe('RUNNING_EXECUTION');
  });

  it('among names that contain it, takes the nearest', () => {
    expect(nearestName('CANCEL', ['CANCELLING', 'CANCELLED', 'COMPLETED'])).toBe('CANCELLED');
  });
});
