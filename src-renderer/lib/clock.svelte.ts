// One ticking "now" for every age on screen, instead of a timer per row.
class Clock {
  now = $state(Date.now());
  #timer: ReturnType<typeof setInterval> | undefined;

  start(): void {
    this.#timer ??= setInterval(() => (this.now = Date.now()), 1000);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

export const clock = new Clock();
