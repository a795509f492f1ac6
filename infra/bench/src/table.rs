//! Printing what was measured.

use super::*;

/// What the floor means for the tracking rows. Time per request at a row's
/// concurrency is 1 / rate. Native tracking work is what a native lookup
/// takes beyond a native empty request; a host lookup takes at least the
/// host's empty request plus that work (a component is not faster than native
/// code), so its best possible ratio is native lookup time ÷ (host empty time +
/// native work time), however lean the component. The empty request is
/// measured at [`TRACKING_CONNECTIONS`], so only those tracking rows.
pub(crate) fn print_bound(rows: &[Row]) {
    let Some(empty) = rows.iter().find(|r| r.scenario == EMPTY_ROW) else {
        return;
    };
    let Some(native_empty) = &empty.native else {
        return;
    };
    if empty.host.rps <= 0.0 || native_empty.rps <= 0.0 {
        return;
    }
    for row in rows
        .iter()
        .filter(|r| r.scenario.starts_with("tracking") && r.conns == TRACKING_CONNECTIONS)
    {
        let Some(native) = row.native.as_ref().filter(|n| n.rps > 0.0) else {
            continue;
        };
        let lookup = 1e6 / native.rps;
        let work = (lookup - 1e6 / native_empty.rps).max(0.0);
        let best = lookup / (1e6 / empty.host.rps + work);
        println!(
            "best case for {} at {} connections: host empty request {:.1} µs + native work \
             {work:.1} µs against native {lookup:.1} µs per request = ratio {best:.2} at most",
            row.scenario,
            row.conns,
            1e6 / empty.host.rps
        );
    }
}

/// Points out Spin rows whose slow requests take Linux's delayed-acknowledgement
/// time (about 40 ms) where the host's take far less: small answers held back
/// by Nagle's algorithm until the client's delayed ACK, the mark of a server
/// socket without `TCP_NODELAY` (the load generator sets it on its own end).
/// That is how Spin answers a keep-alive client, not the components' work; with
/// many connections the other requests fill the wait.
pub(crate) fn print_stalls(rows: &[Row]) {
    let stalled: Vec<String> = rows
        .iter()
        .filter(|r| {
            r.spin.as_ref().is_some_and(|s| {
                (38.0..50.0).contains(&(s.p99.as_secs_f64() * 1e3))
                    && r.host.p99 < Duration::from_millis(30)
            })
        })
        .map(|r| format!("{} at {}", r.scenario, r.conns))
        .collect();
    if !stalled.is_empty() {
        println!(
            "note: Spin's p99 of about 40 ms ({}) is the delayed-ACK stall of small answers \
             on a keep-alive connection whose server end has no TCP_NODELAY (Nagle's \
             algorithm), not the components' work; at 1 connection it sets the rate",
            stalled.join(", ")
        );
    }
}

/// Throughput ratio `a / b`, or `-`.
pub(crate) fn ratio(a: &Stats, b: Option<&Stats>) -> String {
    match b {
        Some(b) if b.rps > 0.0 => format!("{:.2}", a.rps / b.rps),
        _ => "-".to_owned(),
    }
}

pub(crate) fn print_table(rows: &[Row]) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "| {:<24} | {:>5} | {:>8} | {:>8} | {:>8} | {:>7} | {:>11} | {:>9} |",
        "scenario", "conns", "req/s", "p50 ms", "p99 ms", "RSS MB", "host/native", "host/Spin"
    );
    println!(
        "|{:-<26}|{:->7}|{:->10}|{:->10}|{:->10}|{:->9}|{:->13}|{:->11}|",
        "", "", "", "", "", "", "", ""
    );
    for row in rows {
        let sides = [
            ("native", row.native.as_ref(), String::new(), String::new()),
            (
                "host",
                Some(&row.host),
                ratio(&row.host, row.native.as_ref()),
                ratio(&row.host, row.spin.as_ref()),
            ),
            ("Spin", row.spin.as_ref(), String::new(), String::new()),
        ];
        for (side, stats, to_native, to_spin) in sides {
            let Some(s) = stats else { continue };
            let name = format!("{}: {side}", row.scenario);
            println!(
                "| {:<24} | {:>5} | {:>8.0} | {:>8.2} | {:>8.2} | {:>7} | {:>11} | {:>9} |",
                name,
                row.conns,
                s.rps,
                ms(s.p50),
                ms(s.p99),
                memory::mb(s.rss_kb),
                to_native,
                to_spin
            );
        }
    }
    let all = || {
        rows.iter()
            .flat_map(|r| [r.native.as_ref(), Some(&r.host), r.spin.as_ref()])
            .flatten()
    };
    let errors: usize = all().map(|s| s.errors).sum();
    let requests: usize = all().map(|s| s.requests).sum();
    println!(
        "\n{requests} requests measured, {errors} errors; RSS MB: the most resident memory \
         (VmRSS) of the side's process(es) sampled every 20 ms while it was measured; ratios \
         are of requests/s"
    );
}

/// The engines' resident memory in the tracking and intake parts.
pub(crate) fn print_memory(rows: &[MemoryRow]) {
    if rows.is_empty() {
        return;
    }
    println!(
        "\nresident memory in MB (VmRSS and VmHWM of /proc/<pid>/status; loaded = the most \
         VmRSS sampled every 20 ms during the measured rows; peak = VmHWM, startup included)\n"
    );
    println!(
        "| {:<26} | {:>7} | {:>15} | {:>13} | {:>7} |",
        "process", "idle", "tracking loaded", "intake loaded", "peak"
    );
    println!(
        "|{:-<28}|{:->9}|{:->17}|{:->15}|{:->9}|",
        "", "", "", "", ""
    );
    for r in rows {
        println!(
            "| {:<26} | {:>7} | {:>15} | {:>13} | {:>7} |",
            r.what,
            memory::mb(r.idle),
            memory::mb(r.tracking),
            memory::mb(r.intake),
            memory::mb(r.peak)
        );
    }
}
