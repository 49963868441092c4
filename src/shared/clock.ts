/**
 * Time as epoch milliseconds. Code that decides anything by time takes a `Clock` instead of reading
 * the wall clock, so tests can pin it (and a fixed-date test never meets the real date).
 */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();
