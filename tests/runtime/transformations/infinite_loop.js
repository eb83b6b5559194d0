export function transformEvent(event) {
  for (;;) {}
}
