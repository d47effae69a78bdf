import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { Rng } from '../ports/rng.ts';

/** The Rng port on pure-rand's xoroshiro128+ (fast-check's generator): one seed, one sequence. */
export class SeededRng implements Rng {
  private readonly generator: ReturnType<typeof xoroshiro128plus>;

  constructor(seed: number) {
    this.generator = xoroshiro128plus(seed);
  }

  integer(min: number, max: number): number {
    return uniformInt(this.generator, min, max);
  }
}
