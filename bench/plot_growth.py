"""Curves from `h5mf growth --json` files, for bench/plot.

Points of all files are pooled (one file per `mpiexec -n N`, so the ranks axis spans files). For
each axis (ranks, datasets, records, write size) with more than one value among points that agree
on the other three, one log-log figure: median seconds of every phase against the count, with a
dotted line proportional to the count through the slowest phase's last point (a phase steeper
than that line grows faster than linearly), and a Markdown table of the same medians.
"""
import os

AXES = [
    ("ranks", "ranks"),
    ("datasets", "datasets"),
    ("records", "write records (over all ranks)"),
    ("write_bytes", "bytes per write"),
]
# Every phase, in the order h5mf growth runs them.
PHASES = [
    "create file", "create_group", "create_dataset", "attribute", "resize", "write", "flush",
    "read in session", "100 reads in session", "close", "open to read", "first read", "close read",
    "merge: load", "merge: verify", "merge: prepare", "merge: structure", "merge: data", "merge",
]
# The phases drawn (all are in the table); structure calls are drawn against datasets only.
DRAWN = [
    "create file", "create_dataset", "attribute", "resize", "write", "flush", "read in session",
    "100 reads in session", "close", "open to read", "first read", "merge: load", "merge: verify",
    "merge: prepare", "merge: structure", "merge: data", "merge",
]
SHORT = {"ranks": "n", "datasets": "d", "records": "r", "write_bytes": "w"}  # in file names
STRUCTURE = {"create_group", "create_dataset", "attribute", "resize"}


def is_growth(doc):
    return doc.get("kind") == "growth"


def _points(docs):
    out = []
    for doc in docs:
        for p in doc["points"]:
            q = dict(p)
            q["label"] = doc.get("label") or doc.get("filesystem", "")
            out.append(q)
    return out


def _human(n):
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift and n % (1 << shift) == 0:
            return "%d %s" % (n >> shift, unit)
    return "%d B" % n


def series(docs):
    """[(axis, fixed: dict, [point sorted by axis])] for every axis that varies."""
    points = _points(docs)
    found = []
    for axis, _ in AXES:
        others = [a for a, _ in AXES if a != axis] + ["label"]
        groups = {}
        for p in points:
            groups.setdefault(tuple(p[o] for o in others), {})[p[axis]] = p
        for key, by_value in groups.items():
            if len(by_value) > 1:
                found.append((axis, dict(zip(others, key)), [by_value[v] for v in sorted(by_value)]))
    return found


def _fixed_text(axis, fixed):
    parts = []
    for a, _ in AXES:
        if a == axis:
            continue
        v = fixed[a]
        parts.append("%s %s" % (_human(v) if a == "write_bytes" else v, a.replace("_bytes", " size")))
    return ", ".join(parts) + (" (%s)" % fixed["label"] if fixed.get("label") else "")


def file_name(name, axis, fixed):
    text = "%s-growth-%s" % (name, axis.replace("_bytes", ""))
    for a, _ in AXES:
        if a != axis:
            text += "-%s%s" % (SHORT[a], _human(fixed[a]).replace(" ", "") if a == "write_bytes" else fixed[a])
    return text + ".png"


def _value(point, phase, clock):
    """The median of a phase in wall or CPU seconds; None when not measured (merge sub-phases
    have no CPU time)."""
    entry = point["seconds"].get(phase, {})
    return entry.get("median" if clock == "wall" else "cpu_median")


def plot(docs, out_dir, name, clock="wall"):
    import matplotlib.pyplot as plt

    written = []
    for axis, fixed, points in series(docs):
        xs = [p[axis] for p in points]
        fig, ax = plt.subplots(figsize=(9, 6))
        ax.set_prop_cycle(color=plt.cm.tab20.colors)  # 17 phases: distinct colours
        slowest_last = 0.0
        for phase in DRAWN:
            if phase in STRUCTURE and axis != "datasets":
                continue
            ys = [_value(p, phase, clock) for p in points]
            if any(y is None for y in ys) or max(ys) <= 0:
                continue
            slowest_last = max(slowest_last, ys[-1])
            style = dict(marker="o", linewidth=2.5) if phase == "merge" else dict(marker=".")
            if phase.startswith("merge: "):
                style["linestyle"] = "--"
            ax.plot(xs, [max(y, 1e-7) for y in ys], label=phase, **style)
        if slowest_last > 0:
            ax.plot(xs, [slowest_last * x / xs[-1] for x in xs], color="black", linestyle=":", linewidth=1,
                    label="∝ %s" % axis.replace("_bytes", " size"))
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(dict(AXES)[axis])
        ax.set_ylabel("%s seconds (median, largest over ranks)" % ("CPU" if clock == "cpu" else "wall"))
        ax.set_title("h5mf growth with %s; %s" % (dict(AXES)[axis], _fixed_text(axis, fixed)), fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7, ncol=2, loc="upper left")
        fig.tight_layout()
        path = os.path.join(out_dir, file_name(name + ("-cpu" if clock == "cpu" else ""), axis, fixed))
        fig.savefig(path, dpi=90)
        plt.close(fig)
        written.append(path)
    return written


def tables(docs, phases=None, clock="wall"):
    """The Markdown tables: one per varying axis, medians in seconds ("-": not measured)."""
    text = []
    for axis, fixed, points in series(docs):
        names = phases or [n for n in PHASES if n in points[0]["seconds"]]
        text.append("Growth with %s (%s), median %s seconds:\n" % (dict(AXES)[axis], _fixed_text(axis, fixed),
                                                                   "CPU" if clock == "cpu" else "wall"))
        text.append("| %s | %s | index B | metafile B | peak RSS MiB |" % (axis, " | ".join(names)))
        text.append("|---|%s---|---|---|" % ("---|" * len(names)))
        for p in points:
            v = _human(p[axis]) if axis == "write_bytes" else str(p[axis])
            cells = ["-" if _value(p, n, clock) is None else "%.3g" % _value(p, n, clock) for n in names]
            text.append("| %s | %s | %d | %d | %.0f |" % (v, " | ".join(cells), p["index_bytes"],
                                                         p["metafile_bytes"], p["peak_rss_kib"] / 1024.0))
        text.append("")
    return "\n".join(text)
