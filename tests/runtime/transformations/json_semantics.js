class Point {
  constructor() { this.x = 1; this.y = undefined; }
  get norm() { return 1; }
}
export function transformEvent(event) {
  return {
    gone: undefined, nan: NaN, inf: Infinity, negInf: -Infinity,
    date: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)),
    map: new Map([["a", 1]]), set: new Set([1]),
    holes: [1, , undefined, 2], // eslint-disable-line no-sparse-arrays
    point: new Point(),
  };
}
