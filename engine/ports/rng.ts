/** The engine's only source of randomness; seeded, so a run replays. */
export interface Rng {
  /** A whole number in [min, max] (both included). */
  integer(min: number, max: number): number;
}
