//! A hand-driven HTTP/1.1 exchange for requests whose body the server may refuse before
//! reading it: the body is written in the background while the response is read, so an
//! early `413` is seen even if the server then closes the connection.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How the body is framed on the wire.
#[derive(Debug, Clone, Copy)]
pub enum Framing {
    ContentLength,
    Chunked,
}

/// Sends `POST path` with `body` and returns the response's status code.
pub async fn post_status(addr: SocketAddr, path: &str, body: Vec<u8>, framing: Framing) -> u16 {
    let stream = TcpStream::connect(addr).await.expect("connect to the host");
    stream.set_nodelay(true).unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let head = match framing {
        Framing::ContentLength => format!(
            "POST {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/octet-stream\r\n\
             content-length: {}\r\n\r\n",
            body.len()
        ),
        Framing::Chunked => format!(
            "POST {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/octet-stream\r\n\
             transfer-encoding: chunked\r\n\r\n"
        ),
    };
    let sender = tokio::spawn(async move {
        writer.write_all(head.as_bytes()).await?;
        match framing {
            Framing::ContentLength => writer.write_all(&body).await?,
            Framing::Chunked => {
                for chunk in body.chunks(64 * 1024) {
                    writer
                        .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                        .await?;
                    writer.write_all(chunk).await?;
                    writer.write_all(b"\r\n").await?;
                }
                writer.write_all(b"0\r\n\r\n").await?;
            }
        }
        writer.flush().await?;
        // Keep the write half open: closing it could end the exchange early.
        tokio::time::sleep(Duration::from_secs(30)).await;
        Ok::<_, std::io::Error>(())
    });

    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    let status = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            if let Some(end) = received.iter().position(|&b| b == b'\n') {
                let line = String::from_utf8_lossy(&received[..end]).into_owned();
                let code = line.split_whitespace().nth(1).unwrap_or_default();
                return code
                    .parse::<u16>()
                    .unwrap_or_else(|_| panic!("not an HTTP status line: {line:?}"));
            }
            match reader.read(&mut buf).await {
                Ok(0) => panic!("connection closed without a response"),
                Ok(n) => received.extend_from_slice(&buf[..n]),
                Err(e) => panic!("reading the response: {e}"),
            }
        }
    })
    .await
    .expect("no response within 30 s");
    sender.abort();
    status
}
