//! Logs and traces of the server process: log lines as text or JSON (filtered by `RUST_LOG` /
//! `--log`), and, with the `otel` feature and an OTLP endpoint, OpenTelemetry traces: a span per
//! request (`request`, with its request id and API) and, inside it, async-graphql's spans per
//! parse, validation, execution and resolved field, exported over OTLP/HTTP in batches.

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// How log lines are written (`--log-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object a line, with the fields of the span it is in (the request id).
    Json,
}

/// Keeps the trace exporter alive; [`Telemetry::shutdown`] sends what is still buffered.
#[derive(Debug, Default)]
#[must_use = "dropping it stops nothing, but the last spans are sent only by `shutdown`"]
pub struct Telemetry {
    #[cfg(feature = "otel")]
    provider: Option<opentelemetry_sdk::trace::SdkTracerProvider>,
}

impl Telemetry {
    /// Sends the spans still buffered and stops the exporter (at process exit).
    pub fn shutdown(self) {
        #[cfg(feature = "otel")]
        if let Some(provider) = self.provider
            && let Err(e) = provider.shutdown()
        {
            tracing::warn!(error = %e, "could not send the last traces");
        }
    }
}

/// Installs the process's subscriber: log lines filtered by `filter` in `format`, and traces sent
/// to `otlp_endpoint` (an OTLP/HTTP base URL such as `http://collector:4318`, or its full
/// `…/v1/traces` URL) when there is one. Traces keep every span at `info` and above whatever the
/// log filter says, so quiet logs do not mean empty traces.
pub fn init(
    filter: &str,
    format: LogFormat,
    otlp_endpoint: Option<&str>,
) -> anyhow::Result<Telemetry> {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = match format {
        LogFormat::Text => tracing_subscriber::fmt::layer().with_filter(filter).boxed(),
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .with_filter(filter)
            .boxed(),
    };
    let registry = tracing_subscriber::registry().with(logs);
    let Some(endpoint) = otlp_endpoint else {
        registry.try_init()?;
        return Ok(Telemetry::default());
    };
    #[cfg(feature = "otel")]
    {
        use opentelemetry::trace::TracerProvider as _;
        use opentelemetry_otlp::WithExportConfig as _;
        let endpoint = endpoint.trim_end_matches('/');
        let url = if endpoint.ends_with("/v1/traces") {
            endpoint.to_string()
        } else {
            format!("{endpoint}/v1/traces")
        };
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_endpoint(url)
            .build()?;
        let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(
                opentelemetry_sdk::Resource::builder()
                    .with_service_name("shopql-reference")
                    .build(),
            )
            .build();
        let traces = tracing_opentelemetry::layer()
            .with_tracer(provider.tracer("shopql-reference"))
            .with_filter(EnvFilter::new("info"));
        registry.with(traces).try_init()?;
        Ok(Telemetry {
            provider: Some(provider),
        })
    }
    #[cfg(not(feature = "otel"))]
    {
        registry.try_init()?;
        anyhow::bail!(
            "--otlp-endpoint {endpoint}: this build has no OpenTelemetry export (build with the `otel` feature)"
        )
    }
}
