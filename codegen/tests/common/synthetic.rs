//! A synthetic large schema, for the compile test and the benchmark: thousands of types with
//! interfaces (some implementing others), unions, enums, input objects, custom scalars, keyword
//! and colliding field names, colliding type names, prelude-like type names, self-referencing and
//! mutually recursive types (non-null both ways), recursive inputs, arguments with defaults,
//! deprecations and descriptions that must not become doctests — plus operation documents with
//! fragments on interfaces and unions, aliases and `@include`.
//!
//! The output is a pure function of the group count, so runs are reproducible.

use std::fmt::Write as _;

/// The named types each group defines.
pub const TYPES_PER_GROUP: usize = 9;

/// A generated schema and its operations.
#[derive(Debug, Clone)]
pub struct Synthetic {
    /// The SDL.
    pub sdl: String,
    /// One operation document.
    pub operations: String,
    /// The number of named types the SDL defines (roots and scalars included).
    pub type_count: usize,
}

/// What the schema contains beyond the basics.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Chain every group to the next (`Obj{g}A.next: Obj{g+1}A`, `Input{g}.other: Input{g+1}`),
    /// so that all groups form one cycle of hundreds of types.
    pub long_cycles: bool,
    /// Define `obj{g}C` beside `Obj{g}C`: type names that collide after case conversion.
    pub case_collisions: bool,
}

impl Shape {
    /// Everything.
    pub const FULL: Shape = Shape {
        long_cycles: true,
        case_collisions: true,
    };
}

/// The smallest group count that gives at least `types` named types.
pub fn groups_for(types: usize) -> usize {
    types.div_ceil(TYPES_PER_GROUP)
}

/// A schema of `groups` groups of related types (`TYPES_PER_GROUP` each), chained so that every
/// group reaches the next one.
pub fn schema(groups: usize) -> Synthetic {
    schema_with(groups, Shape::FULL)
}

/// [`schema`], with some of its hardest parts left out as `shape` says. Without long cycles each
/// group's `next` and `other` point back into the group; without case collisions `obj{g}C` is
/// named `Obj{g}D`.
pub fn schema_with(groups: usize, shape: Shape) -> Synthetic {
    let groups = groups.max(2);
    let scalars = groups.min(10);
    let mut sdl = String::with_capacity(groups * 2_500);
    let mut type_count = 0;

    sdl.push_str(
        r#"# The synthetic schema's root names are custom.
schema { query: Root mutation: Change }

"""
A type named like the prelude's `Option`: generated code must use absolute paths.

```
fn this_is_not_a_doctest() { panic!() }
```
"""
type Option { value: String next: Option some: Box }
"A type named `Box` (see https://doc.rust-lang.org/std/boxed/struct.Box.html) [not a link]."
type Box { inner: Option boxed: [Box!] }
"An input named `Result`."
input Result { ok: Boolean err: String retry: Result }
"An enum named `Vec`."
enum Vec { EMPTY FULL Other }
scalar JSON
"#,
    );
    type_count += 5;
    for s in 0..scalars {
        let _ = writeln!(
            sdl,
            "\"Custom scalar {s}; unmapped ones become newtypes.\"\nscalar Scalar{s}"
        );
        type_count += 1;
    }

    for g in 0..groups {
        // Without long cycles each group points to itself instead.
        let next = if shape.long_cycles {
            (g + 1) % groups
        } else {
            g
        };
        let scalar = g % scalars;
        let lower = if shape.case_collisions {
            format!("obj{g}C")
        } else {
            format!("Obj{g}D")
        };
        let _ = write!(
            sdl,
            r#"
"""
Interface {g}. Docs with <angle brackets>, [brackets] and a URL: https://example.com/{g}.

    indented code is not a doctest either
"""
interface Node{g} {{ id: ID! }}
interface Named{g} implements Node{g} {{ id: ID! name: String }}
"Object A of group {g}: keyword fields, colliding names, recursion."
type Obj{g}A implements Node{g} & Named{g} {{
  id: ID!
  _id: String
  name: String
  type: String!
  ref: Int
  self: Obj{g}A
  Self: Obj{g}B
  crate: Boolean
  super: Float
  async: Enum{g}
  await: [Enum{g}!]
  dyn: Scalar{scalar}
  move: Obj{g}B!
  match: Union{g}
  where: Node{g}
  fooBar: Int
  foo_bar: Int
  json: JSON
  next: Obj{next}A
  old: String @deprecated(reason: "use `name`")
  children(first: Int = 10, filter: Input{g}, type: String @deprecated): [Obj{g}A!]!
}}
type Obj{g}B implements Node{g} {{
  id: ID!
  parent: Obj{g}A!
  kind: Enum{g}!
  tags: [String!]
  grid: [[Int]]
}}
"Collides with `Obj{g}C` after case conversion."
type {lower} {{ value: String other: Obj{g}C }}
type Obj{g}C {{ value: Int twin: {lower} }}
union Union{g} = Obj{g}A | Obj{g}B | Obj{g}C
enum Enum{g} {{
  ALPHA
  BETA
  fooBar
  FOO_BAR
  type
  SELF
  Other
  GONE @deprecated(reason: "no longer sent")
}}
"Input {g}: recursive through nullable fields, and through the next group's input."
input Input{g} {{
  a: Int
  b: String! = "b"
  nested: Input{g}
  other: Input{next}
  e: Enum{g} = ALPHA
  list: [Input{g}!]
  type: String
  self: Boolean
  fooBar: Int
  foo_bar: Int
  s: Scalar{scalar}
}}
"#
        );
        type_count += TYPES_PER_GROUP;
    }

    sdl.push_str("\n\"The query root.\"\ntype Root {\n  option: Option\n  box(r: Result): Box\n  vec: Vec!\n");
    for g in 0..groups {
        let _ = writeln!(
            sdl,
            "  node{g}(id: ID!): Node{g}\n  obj{g}(id: ID, type: String = \"a\"): Obj{g}A\n  search{g}(text: String!, first: Int = 20): [Union{g}!]!"
        );
    }
    sdl.push_str("}\n\"The mutation root.\"\ntype Change {\n");
    for g in 0..groups {
        let _ = writeln!(
            sdl,
            "  update{g}(input: Input{g}!, self: Boolean, ref: Int): Obj{g}B"
        );
    }
    sdl.push_str("}\n");
    type_count += 2;

    // Operations: a handful per group, on interfaces and unions, with fragments, aliases and
    // `@include`; enough to exercise the operation emitter at scale without dominating.
    let mut operations = String::new();
    for g in (0..groups).step_by(5) {
        let _ = write!(
            operations,
            r#"
# Node {g} with fragments on the interface and on concrete types.
query GetNode{g}($id: ID!, $withName: Boolean!) {{
  node{g}(id: $id) {{
    id
    ... on Named{g} {{ name @include(if: $withName) }}
    ...ObjA{g}Bits
    ... on Obj{g}B {{ kind tags parent {{ id type }} }}
  }}
}}

fragment ObjA{g}Bits on Obj{g}A {{
  type
  ref
  self {{ id }}
  async
  fooBar
  foo_bar
  first: children(first: 1) {{ id _id }}
}}

query Search{g}($text: String!) {{
  hits: search{g}(text: $text) {{
    __typename
    ... on Obj{g}A {{ id name match {{ ... on Obj{g}C {{ value }} }} }}
    ... on Obj{g}B {{ id kind }}
  }}
  again: search{g}(text: "again") {{ ... on Obj{g}C {{ value twin {{ value }} }} }}
}}

mutation Update{g}($input: Input{g}!) {{
  update{g}(input: $input, self: true) {{ id kind grid }}
}}
"#
        );
    }
    Synthetic {
        sdl,
        operations,
        type_count,
    }
}
