export function transformEvent(event) {
  let a = [];
  for (;;) a.push("x".repeat(event.properties.chunk) + a.length);
}
