import { StateMachine } from 'aws-local-stepfunctions';

/**
 * aws-local-stepfunctions queues each execution's events (state entered and exited, Map iterations…) in an
 * `EventLogger` and wakes the reader of `eventLogs` through a DOM `EventTarget`: every event builds an `Event` and
 * dispatches it, and every wait adds a once-listener, about 2 µs each on Node 20, for a queue with one reader. The
 * embedded engine reads every execution's events (the visited path, the checkpoint) and a Map forwards every
 * iteration's events to its parent's logger, so that is some sixty dispatches and waits per approval.
 *
 * This gives the logger the same queue with plain callbacks: `dispatch` queues the event (nothing once closed) and
 * wakes whoever waits, `close` marks it closed and wakes them, `waitForNewEvent` resolves at the next of the two
 * (nothing to wait for once closed). The events, their order and when a reader sees them are unchanged. The class is
 * not exported: its prototype is patched from the first logger a machine runs with, before that logger's first event.
 * Loaded for its side effect, before the library is used.
 */
interface LoggerInternals {
  eventQueue: unknown[];
  isLoggerClosed: boolean;
  dispatch(event: unknown): void;
  close(): void;
  waitForNewEvent(): Promise<void> | undefined;
  accordWaiters?: (() => void)[];
  accordPlainWakeups?: true;
}

function wake(logger: LoggerInternals): void {
  const waiters = logger.accordWaiters;
  if (!waiters?.length) return;
  logger.accordWaiters = [];
  for (const w of waiters) w();
}

function patchLogger(proto: LoggerInternals): void {
  if (proto.accordPlainWakeups) return;
  proto.dispatch = function (this: LoggerInternals, event: unknown) {
    if (this.isLoggerClosed) return;
    this.eventQueue.push(event);
    wake(this);
  };
  proto.close = function (this: LoggerInternals) {
    this.isLoggerClosed = true;
    wake(this);
  };
  proto.waitForNewEvent = function (this: LoggerInternals) {
    if (this.isLoggerClosed) return undefined;
    return new Promise<void>((resolve) => {
      this.accordWaiters ??= [];
      this.accordWaiters.push(resolve);
    });
  };
  proto.accordPlainWakeups = true;
}

const machine = StateMachine.prototype as unknown as {
  execute: (this: unknown, input: unknown, options: { eventLogger?: object }, ...rest: unknown[]) => unknown;
  accordEventLogsPatched?: true;
};

if (!machine.accordEventLogsPatched) {
  const execute = machine.execute;
  // `run` builds the logger and calls `execute` before any event is dispatched or awaited.
  machine.execute = function (this: unknown, input, options, ...rest) {
    const logger = options?.eventLogger as LoggerInternals | undefined;
    if (logger) {
      // Only the logger this was written against (a queue array, a closed flag, the three methods): another
      // version of the library keeps its own wake-ups (and test/unit/workflows/event-logs.test.ts fails).
      const proto = Object.getPrototypeOf(logger) as LoggerInternals;
      if (
        Array.isArray(logger.eventQueue) &&
        typeof logger.isLoggerClosed === 'boolean' &&
        typeof proto.dispatch === 'function' &&
        typeof proto.close === 'function' &&
        typeof proto.waitForNewEvent === 'function'
      )
        patchLogger(proto);
      machine.execute = execute;
    }
    return execute.call(this, input, options, ...rest);
  };
  machine.accordEventLogsPatched = true;
}
