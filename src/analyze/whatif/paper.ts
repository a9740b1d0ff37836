// The ES2 paper's published figures, printed next to a trace's numbers so a reader can see how much
// of the paper's result applies to that trace.

export const PAPER = Object.freeze({
  title: 'ES2: efficient and responsive virtual I/O event path (hybrid I/O handling, posted interrupts, interrupt redirection)',
  ehtTcpStreamBelow: 0.025,
  ehtUdpStreamBelow: 0.001,
  memcachedSpeedup: 1.9,
  nginxSpeedup: 1.6,
  caveat: "The paper's exact EHT formula and its polling thresholds are not public in the sources available here; "
    + 'this model reads its EHT as the busy definition H / (G + H) and sets polling parameters from QEMU/vhost/KVM defaults.',
});
