export function transformEvent(event) {
  try {
    let a = [];
    for (;;) a.push("x".repeat(1 << 20) + a.length);
  } catch (error) {
    return event;
  }
}
