//! A starting implementation of a resolver trait, like gqlgen's resolver file: every method
//! returns a `NOT_IMPLEMENTED` error, ready for a backend team to fill in. Written once into the
//! source tree by `shopql-codegen generate --server --skeleton`; never regenerated over user code.

use proc_macro2::TokenStream;
use quote::quote;

use super::server::ServerOutput;

/// The skeleton file's items. `module_path` is where the generated API module lives in the
/// user's crate (`crate::generated::lock`).
pub fn emit(server: &ServerOutput, module_path: &str, runtime: &str) -> TokenStream {
    let module: syn::Path =
        syn::parse_str(module_path).unwrap_or_else(|_| syn::parse_quote!(crate::generated));
    let rt: syn::Path =
        syn::parse_str(runtime).unwrap_or_else(|_| syn::parse_quote!(::shopql_server_stubs));
    let trait_name = &server.trait_name;
    let methods = server.methods.iter().map(|m| {
        let sig = &m.signature;
        let coordinate = &m.coordinate;
        quote! {
            #sig {
                ::core::result::Result::Err(#rt::ApiError::not_implemented(#coordinate))
            }
        }
    });
    // Another API's module is a sibling of this one's, as the generated code expects.
    let accessors = server.delegates.iter().map(|d| {
        let module = &d.module;
        let sibling = match module_path.rsplit_once("::") {
            Some((parent, _)) => format!("{parent}::{module}"),
            None => module.to_string(),
        };
        let sibling: syn::Path =
            syn::parse_str(&sibling).unwrap_or_else(|_| syn::parse_quote!(super::#module));
        let (accessor, their_trait) = (&d.accessor, &d.trait_name);
        quote! {
            fn #accessor(&self) -> &dyn #sibling::#their_trait {
                &#sibling::adapter::Unimplemented
            }
        }
    });
    quote! {
        #![allow(unused_variables)] // every parameter is unused until the method is written

        use #module::*;

        /// The implementation of the API. Add the state it needs (a database pool, clients, …).
        #[derive(::core::fmt::Debug, ::core::default::Default)]
        pub struct Resolvers;

        #[#rt::async_trait::async_trait]
        impl #trait_name for Resolvers {
            #(#methods)*
            #(#accessors)*
        }
    }
}
