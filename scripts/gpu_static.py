#!/usr/bin/env python3
"""The GPU kernel's cost without a GPU: ptxas resource usage (registers,
spills, stack, shared memory), the theoretical occupancy they allow on a
Hopper SM, and a census of the kernel's PTX by instruction class.

Reads what scripts/gpu_static.sh produced (ptxas -v output, the PTX, and
optionally the lane model's table) and writes a markdown report to stdout,
with an estimated H100 rate when the lane efficiencies and the instructions
per lifetime are given."""
import argparse
import math
import re
import sys
from collections import Counter

# Hopper (sm_90, H100) per-SM limits: CUDA C++ Programming Guide, compute
# capability 9.0, and the CUDA occupancy calculator's allocation granularities.
SM90 = {
    "registers": 65536,
    "register_unit_per_warp": 256,   # registers are allocated per warp in units of 256
    "max_registers_per_thread": 255,
    "threads": 2048,
    "warps": 64,
    "blocks": 32,
    "shared_bytes": 228 * 1024,
    "shared_reserved_per_block": 1024,
    "shared_unit": 128,
}
# H100 SXM: 132 SMs at a 1.98 GHz boost clock; per SM and clock, 128 lanes of
# integer/FP32 issue and 64 lanes of FP64.
H100 = {"sms": 132, "clock_hz": 1.98e9, "lanes": 128, "fp64_lanes": 64}

# Instruction classes of the census: (name, what it costs, regex on a PTX instruction).
# PTX, not SASS: the toolkit on our machines has no cuobjdump; ptxas keeps the
# proportions of these classes, though not their exact counts.
CLASSES = [
    ("FP64 division", "a Newton iteration of ~10 FP64 instructions each", r"^div\.\w+\.f64"),
    ("FP64 arithmetic", "half the FP32 rate on H100; the model's arithmetic", r"^(add|sub|mul|fma|min|max|neg|abs|setp|selp)\.[\w.]*f64"),
    ("conversions to or from FP64", "int/float conversions", r"^cvt\.[\w.]*f64"),
    ("special functions", "approximate log2/exp2/rcp/sqrt seeds (MUFU)", r"^(lg2|ex2|rcp|rsqrt|sqrt|sin|cos)\.approx"),
    ("shared-memory atomics", "contended adds within a block", r"^atom\.shared"),
    ("global atomics and reductions", "tallies: one add per group of lanes; histograms; the patient cursor", r"^(atom|red)\.global"),
    ("local memory", "stack arrays and spills: off-chip through L1", r"^(ld|st)\.local"),
    ("barriers", "block-wide synchronisation", r"^(bar|barrier)\.(?!warp)"),
    ("branches", "divergence points", r"^bra"),
    ("warp collectives", "ballots, matches, reductions, shuffles and warp syncs", r"^(redux|match|vote|shfl|activemask|bar\.warp)\."),
    ("calls", "non-inlined functions", r"^call"),
]


def parse_ptxas(text):
    """Per entry function: registers, stack frame, spills, shared memory."""
    functions, current = {}, None
    for line in text.splitlines():
        m = re.search(r"Compiling entry function '([^']+)'", line)
        if m:
            current = m.group(1)
            functions[current] = {}
            continue
        if current is None:
            continue
        m = re.search(r"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads", line)
        if m and "stack" not in functions[current]:
            functions[current].update(stack=int(m.group(1)), spill_stores=int(m.group(2)), spill_loads=int(m.group(3)))
        m = re.search(r"Used (\d+) registers", line)
        if m:
            functions[current]["registers"] = int(m.group(1))
            s = re.search(r"(\d+) bytes smem", line)
            functions[current]["shared"] = int(s.group(1)) if s else 0
            current = None  # the entry's report ends with its register line
    return functions


def unqualified(mangled):
    """The last component of an Itanium-mangled nested name (_ZN<len><name>...E...)."""
    if not mangled.startswith("_ZN"):
        return mangled
    pos, last = 3, mangled
    while pos < len(mangled) and mangled[pos].isdigit():
        digits = re.match(r"\d+", mangled[pos:]).group(0)
        pos += len(digits)
        last = mangled[pos:pos + int(digits)]
        pos += int(digits)
    return last


def occupancy(registers, shared, threads_per_block, limits=SM90):
    warps_per_block = math.ceil(threads_per_block / 32)
    per_warp = math.ceil(registers * 32 / limits["register_unit_per_warp"]) * limits["register_unit_per_warp"]
    by_registers = limits["registers"] // (per_warp * warps_per_block)
    by_threads = limits["threads"] // threads_per_block
    shared_block = math.ceil((shared + limits["shared_reserved_per_block"]) / limits["shared_unit"]) * limits["shared_unit"]
    by_shared = limits["shared_bytes"] // shared_block
    blocks = min(by_registers, by_threads, by_shared, limits["blocks"])
    limiter = min((by_registers, "registers"), (by_threads, "threads"), (by_shared, "shared memory"))[1]
    return blocks, blocks * warps_per_block / limits["warps"], limiter, (by_registers, by_threads, by_shared)


def ptx_census(text):
    """Counts of instruction classes in the module's functions: the kernel and
    the device functions it calls out of line (static, not executed)."""
    counts, total, depth = Counter(), 0, 0
    for line in text.splitlines():
        stripped = line.strip()
        opens, closes = stripped.count("{"), stripped.count("}")
        inside = depth > 0
        depth += opens - closes
        body = re.sub(r"^@!?%p\d+\s+", "", stripped)
        if not inside or not body or body.startswith(("//", ".", "$", "{", "}")) or body.endswith(":"):
            continue
        total += 1
        for name, _, pattern in CLASSES:
            if re.search(pattern, body):
                counts[name] += 1
                break
    return total, counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ptxas", help="ptxas -v output (stderr of nvcc -Xptxas -v)")
    parser.add_argument("ptx", help="the PTX of the same compilation (nvcc -ptx)")
    parser.add_argument("--threads-per-block", type=int, default=256)
    parser.add_argument("--command", default="bash scripts/gpu_static.sh")
    parser.add_argument("--compiler", default="")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when any function spills or an entry's occupancy is below --min-occupancy")
    parser.add_argument("--min-occupancy", type=float, default=0.25)
    parser.add_argument("--lane-model", help="output of the lane_model program (its efficiency table)")
    parser.add_argument("--instructions-per-lifetime", type=float,
                        help="dynamic instructions per lifetime without the attack-draw cache (scripts/bench_instructions.sh)")
    parser.add_argument("--instructions-source", default="the CPU engine's x86 count without the attack-draw cache",
                        help="where --instructions-per-lifetime comes from, for the report")
    args = parser.parse_args()
    ptxas_text = open(args.ptxas).read()
    functions = parse_ptxas(ptxas_text)
    ptx = open(args.ptx).read()
    if not functions:
        sys.exit("gpu_static.py: no entry function in the ptxas output (was it compiled with -Xptxas -v?)")
    out = ["## GPU kernel, static cost (no GPU needed)", "",
           f"- command: `{args.command}`"]
    if args.compiler:
        out.append(f"- compiler: {args.compiler}")
    out += [f"- target: sm_90 (H100: {SM90['registers']} registers, {SM90['threads']} threads, "
            f"{SM90['shared_bytes'] // 1024} KiB shared memory per SM); {args.threads_per_block} threads per block "
            "(one lane per thread: kThreadsPerBlock in simulate_cuda.cu)", ""]
    for name, f in functions.items():
        blocks, occ, limiter, (by_r, by_t, by_s) = occupancy(f["registers"], f["shared"], args.threads_per_block)
        short = unqualified(name)
        out += [f"### `{short}`", "", "| quantity | value |", "| --- | ---: |",
                f"| registers per thread | {f['registers']} |",
                f"| stack frame (bytes per thread) | {f.get('stack', 0)} |",
                f"| spill stores / loads (bytes) | {f.get('spill_stores', 0)} / {f.get('spill_loads', 0)} |",
                f"| static shared memory per block (bytes) | {f['shared']} |",
                f"| blocks per SM (by registers / threads / shared memory) | {blocks} ({by_r} / {by_t} / {by_s}; limited by {limiter}) |",
                f"| theoretical occupancy | {100 * occ:.1f}% ({blocks * args.threads_per_block // 32} of {SM90['warps']} warps) |",
                ""]
    total, counts = ptx_census(ptx)
    if total:
        out += [f"PTX census ({total} instructions in the kernel and the device functions it calls, static count):", "",
                "| class | instructions | share | why it matters |", "| --- | ---: | ---: | --- |"]
        for cls, why, _ in CLASSES:
            out.append(f"| {cls} | {counts[cls]} | {100 * counts[cls] / total:.1f}% | {why} |")
        out.append("")
    if args.lane_model:
        out += lane_section(open(args.lane_model).read(), args.instructions_per_lifetime, args.instructions_source, fp64_share(ptx))
    out += ["Occupancy is the theoretical one (resident warps over the SM's 64), from the per-warp register",
            "allocation unit of 256, the 1 KiB shared memory reserved per block and the 128-byte shared allocation",
            "unit; it says nothing of latency hiding or of divergence, which only a device or a lane model measures.",
            "A static count weighs every instruction once, whatever a lifetime executes.", ""]
    print("\n".join(out))
    if args.check:
        failures = check(ptxas_text, functions, args.threads_per_block, args.min_occupancy)
        for failure in failures:
            print(f"gpu_static.py: {failure}", file=sys.stderr)
        sys.exit(1 if failures else 0)


def fp64_share(ptx):
    """FP64 instructions (arithmetic, divisions at ~10 each, conversions) over all, in the module's PTX."""
    total, counts = ptx_census(ptx)
    fp64 = counts["FP64 arithmetic"] + 10 * counts["FP64 division"] + counts["conversions to or from FP64"]
    return fp64 / (total + 9 * counts["FP64 division"]) if total else 0.0


def lane_section(table, instructions, source, fp64):
    """The lane model's table, and the H100 rate each schedule's efficiency allows."""
    out = ["### SIMT lane model (`lane_model`: the kernel's lane-refill schedule, run by the engine on an emulated warp of 32; "
           "its last rows, the same schedule on a CPU's 4, 8 and 16 vector lanes)", ""]
    out += table.rstrip().splitlines() + [""]
    rows = table.splitlines()
    if not instructions:
        return out
    efficiencies = []
    for line in rows:
        cells = [c.strip() for c in line.strip("|").split("|")]
        # The GPU's schedules (the CPU vector-lane rows have no H100 rate).
        if len(cells) >= 3 and re.match(r"^[0-9.]+$", cells[1]) and not cells[0].startswith("CPU vector lanes"):
            efficiencies.append((cells[0], float(cells[1])))
    # SM cycles per lifetime when every issued lane is useful; divided by the efficiency.
    cycles = instructions * ((1 - fp64) / H100["lanes"] + fp64 / H100["fp64_lanes"])
    out += ["Estimated H100 rate, issue-bound: SMs x clock / (cycles per lifetime / lane efficiency), with "
            f"{instructions:,.0f} instructions per lifetime ({source}, "
            f"as a proxy for SASS), {100 * fp64:.0f}% of them FP64 (PTX census) at half rate, {H100['sms']} SMs at "
            f"{H100['clock_hz'] / 1e9:.2f} GHz. An estimate, to check against a device: it assumes latency hidden "
            "(25% occupancy: 16 warps per SM) and no memory stalls (the lifetime's state lives in local memory, "
            "through L1), it takes the lane efficiencies of the table's first column (measured costs when the table has them) at "
            "face value, and it leaves out 64-bit integer arithmetic on a 32-bit datapath.", "",
            "| schedule | lane efficiency | lifetimes/s |", "| --- | ---: | ---: |"]
    for name, efficiency in efficiencies:
        rate = H100["sms"] * H100["clock_hz"] * efficiency / cycles
        out.append(f"| {name} | {efficiency:.3f} | {rate:.2g} |")
    out.append("")
    return out


def check(ptxas_text, functions, threads_per_block, min_occupancy):
    """What breaks the kernel's static budget: a spill in any function (entries
    and the out-of-line device functions they call), or an entry's theoretical
    occupancy below the minimum."""
    failures, current = [], None
    for line in ptxas_text.splitlines():
        m = re.search(r"Function properties for (\S+)", line)
        if m:
            current = unqualified(m.group(1))
        m = re.search(r"(\d+) bytes spill stores, (\d+) bytes spill loads", line)
        if m and (int(m.group(1)) or int(m.group(2))):
            failures.append(f"{current}: spills {m.group(1)} bytes and reloads {m.group(2)} bytes (registers exhausted) — "
                            "keep the common path within 128 registers (rare paths out of line, fewer live values)")
    for name, f in functions.items():
        blocks, occ, limiter, _ = occupancy(f["registers"], f["shared"], threads_per_block)
        if occ < min_occupancy:
            failures.append(f"{unqualified(name)}: theoretical occupancy {100 * occ:.1f}% ({blocks} blocks of {threads_per_block} "
                            f"per SM, limited by {limiter}) is below {100 * min_occupancy:.0f}% — {f['registers']} registers "
                            "per thread (fewer registers per thread allow more blocks)")
    return failures


if __name__ == "__main__":
    main()
