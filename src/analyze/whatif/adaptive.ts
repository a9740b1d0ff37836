// Mechanism 2, adaptive variant: QEMU's iothread adaptive polling replayed over the kicks of each
// device key, so that the A/B check against QEMU (poll-max-ns=0 vs N) compares like with like.
// Pure: kick columns + params in, the same HybridResult as the fixed window (hybrid.ts) out, plus
// poll_ns at every kick.
//
// What it replays (QEMU 7.2, Debian 12's qemu-system-x86 1:7.2+dfsg, util/aio-posix.c aio_poll):
//   - after each event the iothread busy-polls for up to poll_ns (try_poll_mode / run_poll_handlers);
//     while it polls, virtqueue notification is off (io_poll_begin), so a request the guest queues
//     then is picked up without a kick: that kick of the polling-off trace is avoided;
//   - block_ns = time from the start of aio_poll to the event (poll time + blocking time); then
//       block_ns <= poll_ns               -> no change ("the sweet spot")
//       block_ns >  poll-max-ns           -> shrink: poll_ns /= poll-shrink, or 0 when poll-shrink is 0
//       poll_ns < max && block_ns < max   -> grow: poll_ns *= poll-grow (0 -> 2), from 0 to 4000 ns,
//                                            clamped to poll-max-ns
//   - poll_ns starts at 0 (aio_context_set_poll_params), so the first events never poll.
// The trace gives only kick times, so the iothread is taken to handle each kick instantly and to
// have no other event (see the README: completions, other handlers, guest batching).
import type { WhatifParams } from './params.js';
import { GrowF64, GrowI32, groupBy, orderByTime } from './order.js';
import { deviceKeys, KICK_FLAG, unionPerVmNs, type DeviceHybrid, type HybridResult, type PollIntervals } from './hybrid.js';
import type { ModelInput } from './types.js';

/** poll_ns after its first growth from 0 (util/aio-posix.c: "start polling at 4 microseconds"). */
export const QEMU_POLL_START_NS = 4_000;

type AdaptiveParams = Pick<WhatifParams, 'pollMaxNs' | 'pollGrow' | 'pollShrink' | 'poller'>;

/** QEMU's poll_ns adjustment after one block of `blockNs` (aio_poll, "Adjust polling time"). */
export function adjustPollNs(pollNs: number, blockNs: number, p: Pick<AdaptiveParams, 'pollMaxNs' | 'pollGrow' | 'pollShrink'>): number {
  if (p.pollMaxNs <= 0) return pollNs; // adjustment runs only when poll_max_ns != 0
  if (blockNs <= pollNs) return pollNs;
  if (blockNs > p.pollMaxNs) return p.pollShrink ? Math.floor(pollNs / p.pollShrink) : 0; // int64 division
  if (pollNs < p.pollMaxNs && blockNs < p.pollMaxNs) {
    const grown = pollNs ? pollNs * (p.pollGrow || 2) : QEMU_POLL_START_NS;
    return Math.min(grown, p.pollMaxNs);
  }
  return pollNs;
}

/** Per device key: DeviceHybrid plus how poll_ns moved. */
export interface DeviceAdaptive extends DeviceHybrid {
  /** Times poll_ns grew / shrank. */
  grows: number;
  shrinks: number;
  /** Largest poll_ns reached, and poll_ns after the key's last kick. */
  pollNsPeak: number;
  pollNsEnd: number;
}

export interface AdaptiveResult extends HybridResult {
  devices: DeviceAdaptive[];
  /** Per kick position: poll_ns in effect when the kick came (the window it had to land in). */
  pollNsAtKick: Float64Array;
}

export function modelAdaptivePolling(inp: Pick<ModelInput, 'strings' | 'kicks'>, p: AdaptiveParams): AdaptiveResult {
  const { kicks } = inp;
  const { keyOf, keys } = deviceKeys(inp);
  const groups = groupBy(keyOf, keys);
  const kickFlags = new Uint8Array(kicks.length);
  const pollNsAtKick = new Float64Array(kicks.length);
  const ivDevice = new GrowI32(), ivStart = new GrowF64(), ivEnd = new GrowF64();
  const devices: DeviceAdaptive[] = [];
  for (let key = 0; key < keys; key++) {
    const list = orderByTime(groups.pos.subarray(groups.start[key]!, groups.start[key + 1]!), kicks.tsNs, kicks.id);
    const devIndex = devices.length;
    const dev: DeviceAdaptive = {
      vm: inp.strings[kicks.vm[list[0]!]!]!, device: inp.strings[kicks.device[list[0]!]!]!,
      kicks: list.length, avoided: 0, pollNs: 0, pollEntries: 0, quotaCuts: 0, grows: 0, shrinks: 0, pollNsPeak: 0, pollNsEnd: 0,
    };
    let pollNs = 0;
    // the open POLL interval (consecutive polls joined when a kick ends one and starts the next)
    let ivOpen = false, ivS = 0, ivE = 0;
    const closeIv = (): void => {
      if (!ivOpen) return;
      ivDevice.push(devIndex); ivStart.push(ivS); ivEnd.push(ivE);
      dev.pollNs += ivE - ivS;
      ivOpen = false;
    };
    for (let o = 0; o < list.length; o++) {
      const k = list[o]!;
      const t = kicks.tsNs[k]!;
      pollNsAtKick[k] = pollNs;
      if (o > 0) {
        const blockNs = t - kicks.tsNs[list[o - 1]!]!;
        // polled since the previous kick for min(block, poll_ns); strict: at exactly poll_ns it gave up
        const avoided = blockNs < pollNs;
        if (avoided) { dev.avoided++; kickFlags[k] = KICK_FLAG.AVOIDED; } else closeIv();
        const next = adjustPollNs(pollNs, blockNs, p);
        if (next > pollNs) dev.grows++;
        else if (next < pollNs) dev.shrinks++;
        pollNs = next;
      }
      // after handling this kick the iothread polls for poll_ns (an avoided kick continues the interval)
      if (pollNs > 0) {
        if (!ivOpen) { ivOpen = true; ivS = t; dev.pollEntries++; kickFlags[k]! |= KICK_FLAG.ENTERED_POLL; }
        ivE = t + pollNs;
      } else closeIv();
      if (pollNs > dev.pollNsPeak) dev.pollNsPeak = pollNs;
    }
    closeIv();
    dev.pollNsEnd = pollNs;
    devices.push(dev);
  }
  const intervals: PollIntervals = { length: ivDevice.length, device: ivDevice.done(), startNs: ivStart.done(), endNs: ivEnd.done() };
  const kicksAvoided = devices.reduce((s, d) => s + d.avoided, 0);
  const pollingCpuNs = p.poller === 'shared' ? unionPerVmNs(intervals, devices) : devices.reduce((s, d) => s + d.pollNs, 0);
  return { kickFlags, intervals, devices, kicks: kicks.length, kicksAvoided, pollingCpuNs, pollNsAtKick };
}
