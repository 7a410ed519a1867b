//! The synthetic schema with cynic 3.14 (`rkyv`), for bench/compile-client-size: the schema
//! module, and one group's operations (`GetNode0`, `Search0`, `Update0`) as cynic derives.

#[cynic::schema("synthetic")]
mod schema {}

#[derive(cynic::Enum, Clone, Copy, Debug)]
#[cynic(graphql_type = "Enum0")]
pub enum Enum0 {
    #[cynic(rename = "ALPHA")]
    Alpha,
    #[cynic(rename = "BETA")]
    Beta,
    #[cynic(rename = "fooBar")]
    FooBarCamel,
    #[cynic(rename = "FOO_BAR")]
    FooBar,
    #[cynic(rename = "type")]
    Type,
    #[cynic(rename = "SELF")]
    SelfValue,
    #[cynic(rename = "Other")]
    Other,
    #[cynic(rename = "GONE")]
    Gone,
}

#[derive(cynic::QueryVariables, Debug)]
pub struct GetNode0Variables {
    pub id: cynic::Id,
}

#[derive(cynic::QueryFragment, Debug)]
#[cynic(graphql_type = "Root", variables = "GetNode0Variables")]
pub struct GetNode0 {
    #[arguments(id: $id)]
    pub node0: Option<Node0>,
}

#[derive(cynic::InlineFragments, Debug)]
#[cynic(graphql_type = "Node0")]
pub enum Node0 {
    Obj0A(ObjA0Bits),
    Obj0B(Obj0BBits),
    #[cynic(fallback)]
    Other,
}

#[derive(cynic::QueryFragment, Debug)]
#[cynic(graphql_type = "Obj0A")]
pub struct ObjA0Bits {
    pub id: cynic::Id,
    pub name: Option<String>,
    #[cynic(rename = "type")]
    pub type_: String,
    #[cynic(rename = "ref")]
    pub ref_: Option<i32>,
    #[cynic(rename = "self")]
    pub self_: Option<Obj0AId>,
    #[cynic(rename = "async")]
    pub async_: Option<Enum0>,
    #[cynic(rename = "fooBar")]
    pub foo_bar_camel: Option<i32>,
    #[cynic(rename = "foo_bar")]
    pub foo_bar: Option<i32>,
    #[arguments(first: 1)]
    #[cynic(alias, rename = "children")]
    pub first: Vec<Obj0AIds>,
}

#[derive(cynic::QueryFragment, Debug)]
#[cynic(graphql_type = "Obj0A")]
pub struct Obj0AId {
    pub id: cynic::Id,
}

#[derive(cynic::QueryFragment, Debug)]
#[cynic(graphql_type = "Obj0A")]
pub struct Obj0AIds {
    pub id: cynic::Id,
    #[cynic(rename = "_id")]
    pub underscore_id: Option<String>,
}

#[derive(cynic::QueryFragment, Debug)]
#[cynic(graphql_type = "Obj0B")]
pub struct Obj0BBits {
    pub id: cynic::Id,
    pub kind: Enum0,
    pub tags: Option<Vec<String>>,
    pub parent: Obj0AParent,
}

#[derive(cynic::QueryFragment, Debug)]
#[cynic(graphql_type = "Obj0A")]
pub struct Obj0AParent {
    pub id: cynic::Id,
    #[cynic(rename = "type")]
    pub type_: String,
}

#[derive(cynic::QueryVariables, Debug)]
pub struct Search0Variables {
    pub text: String,
}

#[derive(cynic::QueryFragment, Debug)]
#[cynic(graphql_type = "Root", variables = "Search0Variables")]
pub struct Search0 {
    #[arguments(text: $text)]
    #[cynic(alias, rename = "search0")]
    pub hits: Vec<Hit0>,
    #[arguments(text: "again")]
    #[cynic(alias, rename = "search0")]
    pub again: Vec<Again0>,
}

#[derive(cynic::InlineFragments, Debug)]
#[cynic(graphql_type = "Union0")]
pub enum Hit0 {
    Obj0A(HitA0),
    Obj0B(HitB0),
    #[cynic(fallback)]
    Other,
}

#[derive(cynic::QueryFragment, Debug)]
#[cynic(graphql_type = "Obj0A")]
pub struct HitA0 {
    pub id: cynic::Id,
    pub name: Option<String>,
    #[cynic(rename = "match")]
    pub match_: Option<Match0>,
}

#[derive(cynic::InlineFragments, Debug)]
#[cynic(graphql_type = "Union0")]
pub enum Match0 {
    Obj0C(Obj0CValue),
    #[cynic(fallback)]
    Other,
}

#[derive(cynic::QueryFragment, Debug)]
#[cynic(graphql_type = "Obj0C")]
pub struct Obj0CValue {
    pub value: Option<i32>,
}

#[derive(cynic::QueryFragment, Debug)]
#[cynic(graphql_type = "Obj0B")]
pub struct HitB0 {
    pub id: cynic::Id,
    pub kind: Enum0,
}

#[derive(cynic::InlineFragments, Debug)]
#[cynic(graphql_type = "Union0")]
pub enum Again0 {
    Obj0C(Obj0CTwin),
    #[cynic(fallback)]
    Other,
}

#[derive(cynic::QueryFragment, Debug)]
#[cynic(graphql_type = "Obj0C")]
pub struct Obj0CTwin {
    pub value: Option<i32>,
    pub twin: Option<Obj0cValue>,
}

#[derive(cynic::QueryFragment, Debug)]
#[cynic(graphql_type = "obj0C")]
pub struct Obj0cValue {
    pub value: Option<String>,
}

#[derive(cynic::InputObject, Debug)]
#[cynic(graphql_type = "Input0")]
pub struct Input0 {
    pub a: Option<i32>,
    pub b: String,
}

#[derive(cynic::QueryVariables, Debug)]
pub struct Update0Variables {
    pub input: Input0,
}

#[derive(cynic::QueryFragment, Debug)]
#[cynic(graphql_type = "Change", variables = "Update0Variables")]
pub struct Update0 {
    #[arguments(input: $input, self: true)]
    pub update0: Option<Obj0BUpdated>,
}

#[derive(cynic::QueryFragment, Debug)]
#[cynic(graphql_type = "Obj0B")]
pub struct Obj0BUpdated {
    pub id: cynic::Id,
    pub kind: Enum0,
    pub grid: Option<Vec<Option<Vec<Option<i32>>>>>,
}
