//! The load generator: HTTP/1.1 keep-alive connections, alternating rounds
//! per side, and what each side measured.

use super::*;

pub(crate) type Sender = hyper::client::conn::http1::SendRequest<Empty<Bytes>>;

pub(crate) async fn connect(addr: SocketAddr) -> Result<Sender> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    Ok(sender)
}

pub(crate) async fn get_with(sender: &mut Sender, addr: SocketAddr, path: &str) -> Result<Vec<u8>> {
    sender.ready().await?;
    let req = Request::get(path)
        .header("host", addr.to_string())
        .body(Empty::new())?;
    let response = sender.send_request(req).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    if !status.is_success() {
        bail!("GET {path} answered {status}");
    }
    Ok(body.to_vec())
}

pub(crate) async fn get_once(addr: SocketAddr, path: &str) -> Result<Vec<u8>> {
    let mut sender = connect(addr).await?;
    get_with(&mut sender, addr, path).await
}

pub(crate) async fn put(addr: SocketAddr, path: &str, body: Vec<u8>) -> Result<StatusCode> {
    let stream = TcpStream::connect(addr).await?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let req = Request::put(path)
        .header("host", addr.to_string())
        .body(Full::new(Bytes::from(body)))?;
    let response = sender.send_request(req).await?;
    let status = response.status();
    response.into_body().collect().await?;
    Ok(status)
}

/// One side's measurement of one row.
#[derive(Clone, Copy)]
pub(crate) struct Stats {
    pub(crate) requests: usize,
    pub(crate) errors: usize,
    pub(crate) rps: f64,
    pub(crate) p50: Duration,
    pub(crate) p99: Duration,
    /// The most resident memory sampled while it was measured, in kB.
    pub(crate) rss_kb: Option<u64>,
}

/// One row of the table: a scenario at a number of connections on each side.
#[derive(Clone)]
pub(crate) struct Row {
    pub(crate) scenario: &'static str,
    pub(crate) conns: usize,
    pub(crate) native: Option<Stats>,
    pub(crate) host: Stats,
    pub(crate) spin: Option<Stats>,
}

/// One side of a comparison: where it listens, what it is asked, and the
/// processes whose memory is sampled while it is.
pub(crate) struct Side<'a> {
    pub(crate) addr: SocketAddr,
    pub(crate) path: &'a str,
    pub(crate) pids: &'a [u32],
}

impl<'a> Side<'a> {
    pub(crate) fn new(addr: SocketAddr, path: &'a str, pids: &'a [u32]) -> Self {
        Self { addr, path, pids }
    }
}

/// Measures every side in alternating rounds (native, host, Spin, native,
/// ...), `opts.duration` in all per side, so that a slow spell of a shared
/// machine falls on every side rather than on whichever ran during it.
pub(crate) async fn compare(
    sides: &[Side<'_>],
    conns: usize,
    opts: &Options,
) -> Result<Vec<Stats>> {
    let round = opts.duration / ROUNDS;
    let mut samples: Vec<Sample> = sides.iter().map(|_| Sample::default()).collect();
    for _ in 0..ROUNDS {
        for (side, sample) in sides.iter().zip(&mut samples) {
            sample.add(load(side, conns, opts.warmup, round).await?);
        }
    }
    Ok(samples.into_iter().map(Sample::stats).collect())
}

/// Rounds per side in [`compare`].
pub(crate) const ROUNDS: u32 = 3;

/// Latencies of successful requests, failed requests, time measured and the
/// most resident memory sampled meanwhile.
#[derive(Default)]
pub(crate) struct Sample {
    pub(crate) latencies: Vec<Duration>,
    pub(crate) errors: usize,
    pub(crate) measured: Duration,
    pub(crate) rss_kb: Option<u64>,
}

impl Sample {
    pub(crate) fn add(&mut self, other: Sample) {
        self.latencies.extend(other.latencies);
        self.errors += other.errors;
        self.measured += other.measured;
        self.rss_kb = self.rss_kb.max(other.rss_kb);
    }

    pub(crate) fn stats(mut self) -> Stats {
        self.latencies.sort_unstable();
        let latencies = &self.latencies;
        let pct = |p: f64| -> Duration {
            if latencies.is_empty() {
                return Duration::ZERO;
            }
            let i = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len()) - 1;
            latencies[i]
        };
        Stats {
            requests: latencies.len(),
            errors: self.errors,
            rps: latencies.len() as f64 / self.measured.as_secs_f64().max(1e-9),
            p50: pct(0.50),
            p99: pct(0.99),
            rss_kb: self.rss_kb,
        }
    }
}

/// `conns` keep-alive connections, each issuing GETs back to back: a warm-up, then a
/// measured window of `duration` in which every latency is recorded (and the
/// side's resident memory sampled).
pub(crate) async fn load(
    side: &Side<'_>,
    conns: usize,
    warmup: Duration,
    duration: Duration,
) -> Result<Sample> {
    let (addr, path) = (side.addr, side.path);
    let start = Instant::now();
    let measure_from = start + warmup;
    let end = measure_from + duration;
    let mut tasks = Vec::with_capacity(conns);
    for _ in 0..conns {
        let mut sender = connect(addr).await?;
        let path = path.to_owned();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(64 * 1024);
            let mut errors = 0usize;
            loop {
                let t = Instant::now();
                if t >= end {
                    break;
                }
                let ok = get_with(&mut sender, addr, &path).await.is_ok();
                if t >= measure_from {
                    if ok {
                        latencies.push(t.elapsed());
                    } else {
                        errors += 1;
                    }
                }
                if !ok {
                    // A broken connection: reconnect rather than spin on errors.
                    match connect(addr).await {
                        Ok(s) => sender = s,
                        Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                    }
                }
            }
            (latencies, errors)
        }));
    }
    tokio::time::sleep_until(measure_from.into()).await;
    let sampler = memory::Sampler::start(side.pids);
    let mut sample = Sample {
        measured: duration,
        ..Sample::default()
    };
    for task in tasks {
        let (l, e) = task.await?;
        sample.latencies.extend(l);
        sample.errors += e;
    }
    sample.rss_kb = sampler.stop().await;
    Ok(sample)
}
