// Can a KVM guest run here? Decided from facts gathered by checks.ts (/dev/kvm, dmesg lines), so
// the verdict and its message are unit-tested. On this machine type the kvm module is loaded but
// kvm_pvm refuses to bind when the host is itself a kvm-pvm guest booted without nested_pvm=1.

export interface KvmFacts { devKvm: boolean; dmesg: readonly string[] }
export interface KvmVerdict { ok: boolean; reason: string; hint: string }

const KVM_LINE = /kvm|pvm|vmx|svm/i;

export function kvmVerdict(f: KvmFacts): KvmVerdict {
  if (f.devKvm) return { ok: true, reason: '/dev/kvm present', hint: '' };
  const lines = f.dmesg.filter((l) => KVM_LINE.test(l));
  const pvm = lines.find((l) => /kvm-pvm.*not binding|nested_pvm/i.test(l));
  const disabled = lines.find((l) => /disabled by bios|no hardware support|not supported/i.test(l));
  const why = pvm ?? disabled ?? lines[lines.length - 1];
  return {
    ok: false,
    reason: `/dev/kvm is missing${why ? `; dmesg: "${why.trim()}"` : ' (no kvm line in dmesg: is the kvm module loaded?)'}`,
    hint: pvm
      ? 'this host is a kvm-pvm guest without nested_pvm=1: no guest can run under KVM here. Use --accel tcg to run the lab mechanics (no kvm events), or run on a host with /dev/kvm'
      : 'load kvm_intel / kvm_amd (modprobe) on a host with VMX/SVM, or use --accel tcg (software emulation: no kvm events)',
  };
}
