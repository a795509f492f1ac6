//! Open311 GeoReport v2, read-only (<https://wiki.open311.org/GeoReport_v2>):
//!
//! - `GET /open311/v2/discovery.{json,xml}`: where the endpoint is and what
//!   it speaks;
//! - `GET /open311/v2/services.{json,xml}?jurisdiction_id={slug}`: the
//!   institution's active document types;
//! - `GET /open311/v2/services/{code}.{json,xml}?jurisdiction_id=`: a type's
//!   form as attributes;
//! - `GET /open311/v2/requests.{json,xml}?jurisdiction_id=` with `status`,
//!   `service_code`, `start_date` and `end_date` (at most 90 days; the last
//!   90 by default): the requests registered in the window, newest first;
//! - `GET /open311/v2/requests/{number}.{json,xml}?jurisdiction_id=`: one.
//!
//! What a request shows is `ghiseu_core::open311::ServiceRequest`: nothing
//! personal. Errors are the specification's (`[{"code", "description"}]`, or
//! `<errors><error>`). Both formats are written from one tree ([`Node`]), so
//! they cannot say different things.

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};
use ghiseu_core::department::name_of;
use ghiseu_core::document_type::{DocumentType, TypeVersion};
use ghiseu_core::open311::{self, Query, ServiceRequest};
use ghiseu_core::{Department, DocumentTypeCode, Lang, RegistrationNumber, TenantSlug};
use ghiseu_platform::http::{self as web, Response};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo;
use http::{HeaderMap, HeaderValue, StatusCode, header};

const STORE: &str = "default";
const EPHEMERAL: &str = "ephemeral";
/// Requests per client address per minute.
const RATE_LIMIT: i64 = 60;
/// What browsers and proxies are told.
const CACHE_CONTROL: &str = "public, max-age=60";
/// The specification this endpoint follows.
const SPECIFICATION: &str = "http://wiki.open311.org/GeoReport_v2";
/// When this endpoint's behaviour last changed (discovery's `changeset`).
const CHANGESET: &str = "2026-12-05T00:00:00Z";

/// JSON or XML, from the path's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Xml,
}

/// What a path asks for.
#[derive(Debug, PartialEq, Eq)]
enum Resource<'a> {
    Discovery,
    Services,
    Service(&'a str),
    Requests,
    Request(&'a str),
}

/// The resource and format of `path` (below `/open311/v2/`).
fn route(path: &str) -> Option<(Resource<'_>, Format)> {
    let rest = path.strip_prefix("/open311/v2/")?;
    let (name, format) = if let Some(n) = rest.strip_suffix(".json") {
        (n, Format::Json)
    } else {
        (rest.strip_suffix(".xml")?, Format::Xml)
    };
    let resource = match name.split_once('/') {
        None => match name {
            "discovery" => Resource::Discovery,
            "services" => Resource::Services,
            "requests" => Resource::Requests,
            _ => return None,
        },
        Some(("services", code)) if !code.is_empty() && !code.contains('/') => {
            Resource::Service(code)
        }
        Some(("requests", id)) if !id.is_empty() && !id.contains('/') => Resource::Request(id),
        _ => return None,
    };
    Some((resource, format))
}

/// Whether `path` is Open311's.
pub fn is_open311(path: &str) -> bool {
    path.starts_with("/open311/")
}

/// Answers an Open311 `GET` of `path` with `query` at `now`.
pub async fn handle(path: &str, query: &str, headers: &HeaderMap, now: DateTime<Utc>) -> Response {
    let Some((resource, format)) = route(path) else {
        return error(
            Format::Json,
            StatusCode::NOT_FOUND,
            "no such Open311 resource",
        );
    };
    if web::over_rate_limit(EPHEMERAL, "open311", headers, now.timestamp(), RATE_LIMIT) {
        return error(
            format,
            StatusCode::TOO_MANY_REQUESTS,
            "too many requests from this address; try again in a minute",
        );
    }
    match answer(resource, query, now).await {
        Ok((root, node)) => ok(format, root, &node),
        Err(Refusal(status, words)) => error(format, status, &words),
    }
}

/// Why a request is not answered: the status and the description.
struct Refusal(StatusCode, String);

impl From<ghiseu_platform::Error> for Refusal {
    fn from(e: ghiseu_platform::Error) -> Self {
        eprintln!("open311: {e}");
        Self(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the service failed; try again later".to_owned(),
        )
    }
}

fn not_found(what: &str) -> Refusal {
    Refusal(StatusCode::NOT_FOUND, format!("no such {what}"))
}

/// The answer to `resource`: its XML root's name and its tree. Every
/// resource but discovery needs a jurisdiction (`jurisdiction_id`, a
/// tenant's slug).
async fn answer(
    resource: Resource<'_>,
    query: &str,
    now: DateTime<Utc>,
) -> Result<(&'static str, Node), Refusal> {
    if resource == Resource::Discovery {
        return Ok(("discovery", discovery()));
    }
    let Some(raw) = web::query_param(query, "jurisdiction_id") else {
        return Err(Refusal(
            StatusCode::BAD_REQUEST,
            "jurisdiction_id is required: the institution's code, as in /stats/{code}".to_owned(),
        ));
    };
    let slug = TenantSlug::parse(&raw).map_err(|_| not_found("jurisdiction"))?;
    let store = Store::open(STORE).await?;
    let tenant = repo::get_tenant(&store, &slug)
        .await?
        .filter(|t| t.active)
        .ok_or_else(|| not_found("jurisdiction"))?;
    let j = Jurisdiction {
        scope: TenantScope::new(&tenant.slug),
        store,
    };
    match resource {
        Resource::Services => Ok(("services", j.services().await?)),
        Resource::Service(code) => Ok(("service_definition", j.service(code).await?)),
        Resource::Requests => {
            let get = |name: &str| web::query_param(query, name);
            let params: Vec<(&str, Option<String>)> =
                ["status", "service_code", "start_date", "end_date"]
                    .into_iter()
                    .map(|n| (n, get(n)))
                    .collect();
            let q = Query::parse(
                |name| {
                    params
                        .iter()
                        .find(|(n, _)| *n == name)
                        .and_then(|(_, v)| v.as_deref())
                },
                now,
            )
            .map_err(|e| Refusal(StatusCode::BAD_REQUEST, e.to_string()))?;
            Ok(("service_requests", j.requests(&q).await?))
        }
        Resource::Request(id) => Ok(("service_requests", j.request(id).await?)),
        Resource::Discovery => unreachable!("answered above"),
    }
}

/// One institution's data.
struct Jurisdiction {
    store: Store,
    scope: TenantScope,
}

impl Jurisdiction {
    async fn departments(&self) -> Result<Vec<Department>, Refusal> {
        Ok(repo::departments(&self.store, &self.scope).await?)
    }

    async fn services(&self) -> Result<Node, Refusal> {
        let departments = self.departments().await?;
        let types = repo::document_types(&self.store, &self.scope).await?;
        Ok(Node::List(
            "service",
            types
                .iter()
                .map(|t| {
                    let group = name_of(&departments, &t.first_department, Lang::Ro);
                    Node::Obj(vec![
                        ("service_code", Node::text(t.code.as_str())),
                        ("service_name", Node::text(t.titles.get(Lang::Ro).as_str())),
                        ("description", Node::text(t.titles.get(Lang::Ro).as_str())),
                        ("metadata", Node::Bool(!open311::attributes(t).is_empty())),
                        ("type", Node::text("realtime")),
                        ("keywords", Node::text("")),
                        ("group", Node::Text(group)),
                    ])
                })
                .collect(),
        ))
    }

    async fn service(&self, code: &str) -> Result<Node, Refusal> {
        let code = DocumentTypeCode::parse(code).map_err(|_| not_found("service"))?;
        let t = repo::document_types(&self.store, &self.scope)
            .await?
            .into_iter()
            .find(|t| t.code == code)
            .ok_or_else(|| not_found("service"))?;
        let attributes = open311::attributes(&t)
            .into_iter()
            .map(|a| {
                Node::Obj(vec![
                    ("variable", Node::Bool(true)),
                    ("code", Node::Text(a.code)),
                    ("datatype", Node::text(a.datatype)),
                    ("required", Node::Bool(a.required)),
                    ("datatype_description", Node::text("")),
                    ("order", Node::Int(i64::try_from(a.order).unwrap_or(0))),
                    ("description", Node::Text(a.description)),
                    (
                        "values",
                        Node::List(
                            "value",
                            a.values
                                .into_iter()
                                .map(|(key, name)| {
                                    Node::Obj(vec![
                                        ("key", Node::Text(key)),
                                        ("name", Node::Text(name)),
                                    ])
                                })
                                .collect(),
                        ),
                    ),
                ])
            })
            .collect();
        Ok(Node::Obj(vec![
            ("service_code", Node::text(t.code.as_str())),
            ("attributes", Node::List("attribute", attributes)),
        ]))
    }

    async fn requests(&self, q: &Query) -> Result<Node, Refusal> {
        let dossiers = repo::dossiers_between(
            &self.store,
            &self.scope,
            q.start,
            q.end,
            open311::MAX_REQUESTS,
        )
        .await?;
        let mut names = Names::new(self).await?;
        let mut out = Vec::new();
        for d in &dossiers {
            let r = names.request(d).await?;
            if q.wants(&r) {
                out.push(request_node(&r));
            }
        }
        Ok(Node::List("request", out))
    }

    async fn request(&self, id: &str) -> Result<Node, Refusal> {
        let number = id
            .parse::<RegistrationNumber>()
            .map_err(|_| not_found("request"))?;
        let d = repo::dossier_by_number(&self.store, &self.scope, &number)
            .await?
            .ok_or_else(|| not_found("request"))?;
        let r = Names::new(self).await?.request(&d).await?;
        Ok(Node::List("request", vec![request_node(&r)]))
    }
}

/// The names a request shows: its type's title (read once per version) and
/// its department's name.
struct Names<'a> {
    j: &'a Jurisdiction,
    departments: Vec<Department>,
    titles: HashMap<(String, TypeVersion), String>,
}

impl<'a> Names<'a> {
    async fn new(j: &'a Jurisdiction) -> Result<Self, Refusal> {
        Ok(Self {
            j,
            departments: j.departments().await?,
            titles: HashMap::new(),
        })
    }

    async fn request(&mut self, d: &ghiseu_core::Dossier) -> Result<ServiceRequest, Refusal> {
        let key = (d.document_type().to_string(), d.document_type_version());
        if !self.titles.contains_key(&key) {
            let title = repo::document_type_version(
                &self.j.store,
                &self.j.scope,
                d.document_type(),
                d.document_type_version(),
            )
            .await?
            .map_or_else(
                || d.document_type().to_string(),
                |t: DocumentType| t.titles.get(Lang::Ro).to_string(),
            );
            self.titles.insert(key.clone(), title);
        }
        let agency = name_of(&self.departments, d.current_department(), Lang::Ro);
        Ok(ServiceRequest::of(d, &self.titles[&key], &agency))
    }
}

fn request_node(r: &ServiceRequest) -> Node {
    let time = |t: &DateTime<chrono::FixedOffset>| {
        Node::Text(t.to_rfc3339_opts(SecondsFormat::Secs, false))
    };
    Node::Obj(vec![
        ("service_request_id", Node::text(&r.service_request_id)),
        ("status", Node::text(r.status.code())),
        ("status_notes", Node::text(&r.status_notes)),
        ("service_name", Node::text(&r.service_name)),
        ("service_code", Node::text(&r.service_code)),
        ("agency_responsible", Node::text(&r.agency_responsible)),
        ("service_notice", Node::text("")),
        ("requested_datetime", time(&r.requested_datetime)),
        ("updated_datetime", time(&r.updated_datetime)),
        ("expected_datetime", time(&r.expected_datetime)),
    ])
}

/// Where the endpoint is (on the platform's configured public address,
/// never the request's `Host`) and what it speaks.
fn discovery() -> Node {
    let base = ghiseu_platform::config::public_base_url()
        .map(|u| u.as_str().to_owned())
        .unwrap_or_default();
    Node::Obj(vec![
        ("changeset", Node::text(CHANGESET)),
        ("contact", Node::text("")),
        (
            "key_service",
            Node::text("read-only: no API key and no posting"),
        ),
        (
            "endpoints",
            Node::List(
                "endpoint",
                vec![Node::Obj(vec![
                    ("specification", Node::text(SPECIFICATION)),
                    ("url", Node::Text(format!("{base}/open311/v2"))),
                    ("changeset", Node::text(CHANGESET)),
                    ("type", Node::text("production")),
                    (
                        "formats",
                        Node::List(
                            "format",
                            vec![Node::text("text/xml"), Node::text("application/json")],
                        ),
                    ),
                ])],
            ),
        ),
    ])
}

/// One answer, written as JSON or XML.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Text(String),
    Bool(bool),
    Int(i64),
    /// Fields in order: a JSON object, XML elements.
    Obj(Vec<(&'static str, Node)>),
    /// A JSON array; in XML, one element of this name per item.
    List(&'static str, Vec<Node>),
}

impl Node {
    fn text(s: &str) -> Self {
        Self::Text(s.to_owned())
    }

    fn json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Self::Text(s) => Value::String(s.clone()),
            Self::Bool(b) => Value::Bool(*b),
            Self::Int(n) => Value::from(*n),
            Self::Obj(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), v.json()))
                    .collect(),
            ),
            Self::List(_, items) => Value::Array(items.iter().map(Self::json).collect()),
        }
    }

    fn xml(&self, out: &mut String) {
        match self {
            Self::Text(s) => escape(s, out),
            Self::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Self::Int(n) => out.push_str(&n.to_string()),
            Self::Obj(fields) => {
                for (k, v) in fields {
                    element(k, v, out);
                }
            }
            Self::List(tag, items) => {
                for item in items {
                    element(tag, item, out);
                }
            }
        }
    }
}

fn element(tag: &str, node: &Node, out: &mut String) {
    out.push('<');
    out.push_str(tag);
    out.push('>');
    node.xml(out);
    out.push_str("</");
    out.push_str(tag);
    out.push('>');
}

fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() && !matches!(c, '\n' | '\t') => {}
            c => out.push(c),
        }
    }
}

fn xml_document(root: &str, node: &Node) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    element(root, node, &mut out);
    out.push('\n');
    out
}

fn ok(format: Format, root: &str, node: &Node) -> Response {
    let r = match format {
        Format::Json => web::json(StatusCode::OK, &node.json()),
        Format::Xml => xml_response(StatusCode::OK, xml_document(root, node)),
    };
    web::open_data(r, CACHE_CONTROL)
}

/// The specification's error answer.
fn error(format: Format, status: StatusCode, description: &str) -> Response {
    let node = Node::List(
        "error",
        vec![Node::Obj(vec![
            ("code", Node::Int(i64::from(status.as_u16()))),
            ("description", Node::text(description)),
        ])],
    );
    let mut r = match format {
        Format::Json => web::json(status, &node.json()),
        Format::Xml => xml_response(status, xml_document("errors", &node)),
    };
    if status == StatusCode::TOO_MANY_REQUESTS {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    }
    r
}

fn xml_response(status: StatusCode, body: String) -> Response {
    let mut r = http::Response::new(bytes::Bytes::from(body));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml; charset=utf-8"),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_a_resource_and_a_format() {
        assert_eq!(
            route("/open311/v2/discovery.xml"),
            Some((Resource::Discovery, Format::Xml))
        );
        assert_eq!(
            route("/open311/v2/services/petitie.json"),
            Some((Resource::Service("petitie"), Format::Json))
        );
        assert_eq!(
            route("/open311/v2/requests/CJC-2026-000042.xml"),
            Some((Resource::Request("CJC-2026-000042"), Format::Xml))
        );
        for bad in [
            "/open311/v2/requests",
            "/open311/v2/requests.csv",
            "/open311/v2/services/.json",
            "/open311/v2/requests/a/b.json",
            "/open311/v1/services.json",
        ] {
            assert_eq!(route(bad), None, "{bad}");
        }
    }

    #[test]
    fn one_tree_is_written_as_json_and_as_escaped_xml() {
        let node = Node::List(
            "request",
            vec![Node::Obj(vec![
                ("service_request_id", Node::text("A&B <1>")),
                ("metadata", Node::Bool(true)),
                ("order", Node::Int(2)),
            ])],
        );
        assert_eq!(
            node.json(),
            serde_json::json!([{"service_request_id": "A&B <1>", "metadata": true, "order": 2}])
        );
        assert_eq!(
            xml_document("service_requests", &node),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<service_requests><request>\
             <service_request_id>A&amp;B &lt;1&gt;</service_request_id><metadata>true</metadata>\
             <order>2</order></request></service_requests>\n"
        );
    }
}
