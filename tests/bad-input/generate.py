#!/usr/bin/env python3
"""Writes the bad-input corpus: one JSON line per request, per API file.

Each line: {"name", "path", "auth", "headers", "body"} where `body` is the raw request body text
(so malformed JSON stays malformed; `$OVERSIZED` stands for a 2 MiB body, built at replay time) and `auth` names a credential the replay test resolves:
none | client | shop | shop-other-tenant | shop-wrong-scope | purchase | seller | seller-2 |
forged | expired | wrong-audience | alg-none. Run: python3 tests/bad-input/generate.py
"""
import base64, json, os

HERE = os.path.dirname(os.path.abspath(__file__))

def gql(query, variables=None, op=None):
    body = {"query": query}
    if variables is not None:
        body["variables"] = variables
    if op is not None:
        body["operationName"] = op
    return json.dumps(body)

def common(path, auth, sample_query):
    """Transport-level and GraphQL-level abuse, the same for every API."""
    cases = [
        ("empty body", ""),
        ("not json", "this is not json"),
        ("truncated json", '{"query": "{ __typename }"'),
        ("json array of garbage", "[1, 2, 3]"),
        ("json number", "42"),
        ("query is a number", '{"query": 12}'),
        ("query is null", '{"query": null}'),
        ("variables is a string", json.dumps({"query": sample_query, "variables": "nope"})),
        ("unknown top-level fields only", '{"hello": "world"}'),
        ("syntax error", gql("{ a b c ")),
        ("unknown field", gql("{ noSuchField }")),
        ("unknown operation name", gql(sample_query, op="NoSuchOperation")),
        ("two anonymous operations", gql("{ __typename } { __typename }")),
        ("depth bomb", gql("{ " + "a { " * 40 + "b" + " }" * 40 + " }")),
        ("alias bomb", gql("{ " + " ".join(f"a{i}: __typename" for i in range(500)) + " }")),
        ("directive bomb", gql("{ __typename " + "@skip(if: false) " * 60 + "}")),
        ("fragment cycle", gql("query Q { ...A } fragment A on Query { ...B } fragment B on Query { ...A }")),
        ("huge string literal", gql('{ __typename(x: "' + "A" * 200000 + '") }')),
        ("deep list literal", gql("{ __typename(x: " + "[" * 300 + "]" * 300 + ") }")),
        ("batch over the limit", json.dumps([{"query": "{ __typename }"}] * 50)),
        ("mutation over GET-like body", gql("subscription { x }")),
        ("undefined variable", gql("query Q { __typename(x: $nope) }")),
        ("null byte in query", gql("{ __typ\u0000ename }")),
    ]
    return [{"name": n, "path": path, "auth": auth, "headers": {}, "body": b} for n, b in cases]

def line(name, path, auth, body, headers=None):
    return {"name": name, "path": path, "auth": auth, "headers": headers or {}, "body": body}

def client_cases():
    p, o = "/client/graphql", {"commonground-origin": "www.my-vinyl-store.com"}
    b64 = lambda s: base64.b64encode(s.encode()).decode()
    login = "mutation L($e: String!, $p: String!) { login(email: $e, password: $p) { sessionsCount } }"
    upd = "mutation U($id: String!, $items: [CheckoutItemInput]) { checkoutUpdateItems(id: $id, items: $items) { id } }"
    inv = "query I($f: InventoryFiltersInput!, $p: PaginationInput!) { inventoryItems(filters: $f, pagination: $p) { items { id } } }"
    cases = [c | {"headers": o} for c in common(p, "none", "{ me { email } }")]
    cases += [
        line("missing store header", p, "none", gql("{ me { email } }")),
        line("unknown store", p, "none", gql("{ me { email } }"), {"commonground-origin": "www.nowhere.example"}),
        line("login invalid base64", p, "none", gql(login, {"e": "%%%not-base64%%%", "p": "x"}), o),
        line("login base64 of binary", p, "none", gql(login, {"e": "//79/A==", "p": "//79/A=="}), o),
        line("login wrong password", p, "none", gql(login, {"e": b64("buyer@example.com"), "p": b64("wrong")}), o),
        line("login unknown email", p, "none", gql(login, {"e": b64("nobody@example.com"), "p": b64("x")}), o),
        line("login huge email", p, "none", gql(login, {"e": b64("a" * 100000), "p": b64("x")}), o),
        line("login wrong variable type", p, "none", gql(login, {"e": 12, "p": True}), o),
        line("register short password", p, "none", gql("mutation R($e: String!, $p: String!) { register(email: $e, password: $p) { message } }", {"e": b64("new@example.com"), "p": b64("x")}), o),
        line("checkoutCreate without session", p, "none", gql("mutation { checkoutCreate { id } }"), o),
        line("checkoutCreate forged token", p, "forged", gql("mutation { checkoutCreate { id } }"), o),
        line("checkoutCreate expired token", p, "expired", gql("mutation { checkoutCreate { id } }"), o),
        line("checkoutCreate shop token", p, "wrong-audience", gql("mutation { checkoutCreate { id } }"), o),
        line("checkoutCreate alg none", p, "alg-none", gql("mutation { checkoutCreate { id } }"), o),
        line("update unknown checkout", p, "client", gql(upd, {"id": "zzz-ZZZZZ", "items": [{"listingId": 1765470890000, "quantity": 1}]}), o),
        line("update negative quantity", p, "client", gql(upd, {"id": "abc-AbC1d", "items": [{"listingId": 1765470890000, "quantity": -3}]}), o),
        line("update zero quantity", p, "client", gql(upd, {"id": "abc-AbC1d", "items": [{"listingId": 1765470890000, "quantity": 0}]}), o),
        line("update huge quantity", p, "client", gql(upd, {"id": "abc-AbC1d", "items": [{"listingId": 1765470890000, "quantity": 1e15}]}), o),
        line("update fractional quantity", p, "client", gql(upd, {"id": "abc-AbC1d", "items": [{"listingId": 1765470890000, "quantity": 1.5}]}), o),
        line("update unknown listing", p, "client", gql(upd, {"id": "abc-AbC1d", "items": [{"listingId": 1, "quantity": 1}]}), o),
        line("update NaN-like listing", p, "client", gql(upd, {"id": "abc-AbC1d", "items": [{"listingId": "NaN", "quantity": 1}]}), o),
        line("update 251 lines", p, "client", gql(upd, {"id": "abc-AbC1d", "items": [{"listingId": 1765470890000 + i, "quantity": 1} for i in range(251)]}), o),
        line("update 5000 lines", p, "client", gql(upd, {"id": "abc-AbC1d", "items": [{"listingId": 1, "quantity": 1}] * 5000}), o),
        line("body over the size limit", p, "client", "$OVERSIZED", o),
        line("inventory limit 0", p, "none", gql(inv, {"f": {}, "p": {"limit": 0}}), o),
        line("inventory limit huge", p, "none", gql(inv, {"f": {}, "p": {"limit": 1000000}}), o),
        line("inventory page 0", p, "none", gql(inv, {"f": {}, "p": {"page": 0}}), o),
        line("inventory page negative", p, "none", gql(inv, {"f": {}, "p": {"page": -5}}), o),
        line("inventory order 2", p, "none", gql(inv, {"f": {}, "p": {"order": 2}}), o),
        line("inventory unknown sort", p, "none", gql(inv, {"f": {}, "p": {"sort": "password"}}), o),
        line("inventory sql in sort", p, "none", gql(inv, {"f": {}, "p": {"sort": "created; DROP TABLE items"}}), o),
        line("inventory years not ints", p, "none", gql(inv, {"f": {"years": ["x"]}, "p": {}}), o),
        line("inventory huge text", p, "none", gql(inv, {"f": {"text": "x" * 300000}, "p": {}}), o),
        line("item id not a number", p, "none", gql("query Q($id: Float!) { item(id: $id) { id } }", {"id": "abc"}), o),
        line("checkout of another customer", p, "client-2", gql("mutation { checkoutSubmit(id: \"abc-AbC1d\") { id } }"), o),
        line("submit unknown checkout", p, "client", gql("mutation { checkoutSubmit(id: \"nope\") { id } }"), o),
        line("submit a path-like id", p, "client", gql("mutation { checkoutSubmit(id: \"../../etc/passwd\") { id } }"), o),
    ]
    return cases

def shop_cases():
    cart, admin, lock, usage = "/demo/cart", "/demo/cart/admin", "/demo/lock", "/demo/usage"
    hyd = "mutation H($input: CartInput!) { hydrate(input: $input) { id } }"
    cases = common(cart, "shop", "{ cart(id: \"00000000-0000-4000-8000-000000000001\") { id } }")
    cases += [
        line("no token", cart, "none", gql("{ cart { id } }")),
        line("forged token", cart, "forged", gql("{ cart { id } }")),
        line("expired token", cart, "expired", gql("{ cart { id } }")),
        line("client token on shop", cart, "wrong-audience", gql("{ cart { id } }")),
        line("alg none token", cart, "alg-none", gql("{ cart { id } }")),
        line("other tenant token", cart, "shop-other-tenant", gql("{ cart { id } }")),
        line("lock-only token on cart", cart, "shop-wrong-scope", gql("{ cart { id } }")),
        line("cart token on admin", admin, "shop-wrong-scope", gql("{ promotions { identifier } }")),
        line("cart id not a uuid", cart, "shop", gql("{ cart(id: \"not-a-uuid\") { id } }")),
        line("cart id sql", cart, "shop", gql("{ cart(id: \"' OR 1=1 --\") { id } }")),
        line("unknown sku", cart, "shop", gql(hyd, {"input": {"items": [{"sku": "no-such-sku", "quantity": 1}]}})),
        line("zero quantity", cart, "shop", gql(hyd, {"input": {"items": [{"sku": "robot-pink-standard", "quantity": 0}]}})),
        line("negative quantity", cart, "shop", gql(hyd, {"input": {"items": [{"sku": "robot-pink-standard", "quantity": -1}]}})),
        line("huge quantity", cart, "shop", gql(hyd, {"input": {"items": [{"sku": "robot-pink-standard", "quantity": 99999999999}]}})),
        line("tax rate above 1", cart, "shop", gql(hyd, {"input": {"items": [{"sku": "robot-pink-standard", "taxRate": 7}]}})),
        line("negative decimals", cart, "shop", gql(hyd, {"input": {"items": [], "context": {"price": {"decimals": -2}}}})),
        line("251 items", cart, "shop", gql(hyd, {"input": {"items": [{"sku": "robot-pink-standard", "quantity": 1}] * 251}})),
        line("external item negative price", cart, "shop", gql(hyd, {"input": {"externalItems": [{"sku": "x", "name": "x", "variant": {"price": {"gross": -5, "net": -4}, "product": {"id": "p", "path": "/p"}}}]}})),
        line("external item NaN price", cart, "shop", '{"query": "mutation { hydrate(input: {externalItems: [{sku: \\"x\\", name: \\"x\\", variant: {price: {gross: 1e999, net: 1}, product: {id: \\"p\\", path: \\"/p\\"}}}]}) { id } }"}'),
        line("place unknown cart", cart, "shop", gql("mutation { place(id: \"00000000-0000-4000-8000-00000000dead\") { id } }")),
        line("fulfill without order id", cart, "shop", gql("mutation { fulfill(id: \"00000000-0000-4000-8000-000000000001\") { id } }")),
        line("setPromotions empty identifier", admin, "shop", gql("mutation { setPromotions(input: [{identifier: \"\", mechanism: {type: Percentage, value: 10}}]) { identifier } }")),
        line("setPromotions percentage 500", admin, "shop", gql("mutation { setPromotions(input: [{identifier: \"p\", mechanism: {type: Percentage, value: 500}}]) { identifier } }")),
        line("setPromotions bad period", admin, "shop", gql("mutation { setPromotions(input: [{identifier: \"p\", periods: [{start: \"yesterday\"}], mechanism: {type: Fixed, value: 1}}]) { identifier } }")),
        line("setPromotions unknown mechanism", admin, "shop", gql("mutation { setPromotions(input: [{identifier: \"p\", mechanism: {type: Bogus, value: 1}}]) { identifier } }")),
        line("carts page size 1000", admin, "shop", gql("{ carts(first: 1000) { totalCount } }")),
        line("carts page size negative", admin, "shop", gql("{ carts(first: -1) { totalCount } }")),
        line("carts forged cursor", admin, "shop", gql("{ carts(after: \"////\") { totalCount } }")),
        line("removeCarts not uuids", admin, "shop", gql("mutation { removeCarts(ids: [\"x\", \"y\"]) }")),
        line("acquire empty key", lock, "shop", gql("mutation { acquire(key: \"\") }")),
        line("acquire huge key", lock, "shop", gql("mutation { acquire(key: \"" + "k" * 5000 + "\") }")),
        line("acquire ttl 0", lock, "shop", gql("mutation { acquire(key: \"k\", ttl: 0) }")),
        line("acquire ttl negative", lock, "shop", gql("mutation { acquire(key: \"k\", ttl: -60) }")),
        line("acquire ttl huge", lock, "shop", gql("mutation { acquire(key: \"k\", ttl: 2147483647) }")),
        line("acquire ttl overflow", lock, "shop", '{"query": "mutation { acquire(key: \\"k\\", ttl: 99999999999) }"}'),
        line("lock other tenant", lock, "shop-other-tenant", gql("mutation { acquire(key: \"k\") }")),
        line("usage bad date", usage, "shop", gql("{ usage(from: \"yesterday\", to: \"today\") { total { requests } } }")),
        line("usage range too long", usage, "shop", gql("{ usage(from: \"2000-01-01\", to: \"2026-01-01\") { total { requests } } }")),
        line("usage from after to", usage, "shop", gql("{ usage(from: \"2026-02-01\", to: \"2026-01-01\") { total { requests } } }")),
        line("usage no token", usage, "none", gql("{ usage(from: \"2026-01-01\", to: \"2026-01-02\") { total { requests } } }")),
    ]
    return cases

def purchase_cases():
    p = "/purchase/graphql"
    base = {"storeId": "Electronics", "userId": "b57d06db-1638-4d37-9734-fd01a9bc59aa", "currencyCode": "USD", "cartName": "bad-input"}
    # Items that cannot be added come back as cart warnings with an error code (as the real service does).
    add = "mutation A($command: InputAddItemType!) { addItem(command: $command) { id warnings { errorCode errorMessage } } }"
    cases = common(p, "none", "{ cart(storeId: \"Electronics\", currencyCode: \"USD\", userId: \"u\") { id } }")
    cases += [
        line("unknown store", p, "none", gql("{ cart(storeId: \"NoStore\", currencyCode: \"USD\", userId: \"u\") { id } }")),
        line("unknown currency", p, "none", gql("{ cart(storeId: \"Electronics\", currencyCode: \"XXX\", userId: \"u\") { id } }")),
        line("empty user id", p, "none", gql("{ cart(storeId: \"Electronics\", currencyCode: \"USD\", userId: \"\") { id } }")),
        line("another user's cart with a token", p, "purchase", gql("{ cart(storeId: \"Electronics\", currencyCode: \"USD\", userId: \"39e3f3c5-7dd3-40ce-b48b-99549c1cd702\") { id } }")),
        line("forged bearer", p, "forged", gql("{ cart(storeId: \"Electronics\", currencyCode: \"USD\", userId: \"u\") { id } }")),
        line("unknown product", p, "purchase", gql(add, {"command": base | {"productId": "nope", "quantity": 1}})),
        line("zero quantity", p, "purchase", gql(add, {"command": base | {"productId": "9cbd8f316e254a679ba34a900fccb076", "quantity": 0}})),
        line("negative quantity", p, "purchase", gql(add, {"command": base | {"productId": "9cbd8f316e254a679ba34a900fccb076", "quantity": -2}})),
        line("int overflow quantity", p, "purchase", gql(add, {"command": base | {"productId": "9cbd8f316e254a679ba34a900fccb076", "quantity": 9999999999}})),
        line("negative price", p, "purchase", gql(add, {"command": base | {"productId": "9cbd8f316e254a679ba34a900fccb076", "quantity": 1, "price": -10}})),
        line("price as string", p, "purchase", gql(add, {"command": base | {"productId": "9cbd8f316e254a679ba34a900fccb076", "quantity": 1, "price": "cheap"}})),
        line("huge price", p, "purchase", gql(add, {"command": base | {"productId": "9cbd8f316e254a679ba34a900fccb076", "quantity": 1, "price": 1e300}})),
        line("missing required field", p, "purchase", gql(add, {"command": {"storeId": "Electronics"}})),
        line("change price without line", p, "purchase", gql("mutation C($command: InputChangeCartItemPriceType!) { changeCartItemPrice(command: $command) { id } }", {"command": base | {"price": 1}})),
        line("unknown line item", p, "purchase", gql("mutation C($command: InputChangeCartItemQuantityType!) { changeCartItemQuantity(command: $command) { id warnings { errorCode errorMessage } } }", {"command": base | {"lineItemId": "nope", "quantity": 1}})),
        line("dynamic property wrong type", p, "purchase", gql("mutation D($command: InputUpdateCartDynamicPropertiesType!) { updateCartDynamicProperties(command: $command) { id } }", {"command": base | {"dynamicProperties": [{"name": "Example dictionary property", "value": "not-a-dictionary-item"}]}})),
        line("dynamic property unknown", p, "purchase", gql("mutation D($command: InputUpdateCartDynamicPropertiesType!) { updateCartDynamicProperties(command: $command) { id } }", {"command": base | {"dynamicProperties": [{"name": "No such property", "value": 1}]}})),
        line("address type 9", p, "purchase", gql("mutation A($command: InputAddOrUpdateCartAddressType!) { addOrUpdateCartAddress(command: $command) { id } }", {"command": base | {"address": {"addressType": 9, "city": "x"}}})),
        line("merge another user's cart", p, "purchase", gql("mutation M($command: InputMergeCartType!) { mergeCart(command: $command) { id } }", {"command": base | {"secondCartId": "d77a2584-6b45-4b34-818a-9302ec15da5d"}})),
        line("remove another user's cart", p, "purchase", gql("mutation R($command: InputRemoveCartType!) { removeCart(command: $command) }", {"command": {"cartId": "d77a2584-6b45-4b34-818a-9302ec15da5d"}})),
        line("wishlist bulk with a bad quantity", p, "purchase", gql("mutation W($command: InputAddWishlistBulkItemType!) { addWishlistBulkItem(command: $command) { wishlists { id } } }", {"command": {"listIds": ["ce682f58-3bbd-42e5-a576-08c82a86ca11"], "productId": "92e671024a8648de97dedcd488f58455", "quantity": -4}})),
        line("carts take 100000", p, "purchase", gql("{ carts(storeId: \"Electronics\", userId: \"b57d06db-1638-4d37-9734-fd01a9bc59aa\", take: 100000) { totalCount } }")),
        line("carts negative skip", p, "purchase", gql("{ carts(storeId: \"Electronics\", userId: \"b57d06db-1638-4d37-9734-fd01a9bc59aa\", skip: -5) { totalCount } }")),
        line("shipment unknown method", p, "purchase", gql("mutation S($command: InputAddOrUpdateCartShipmentType!) { addOrUpdateCartShipment(command: $command) { id } }", {"command": base | {"shipment": {"shipmentMethodCode": "teleport"}}})),
        line("payment negative amount", p, "purchase", gql("mutation P($command: InputAddOrUpdateCartPaymentType!) { addOrUpdateCartPayment(command: $command) { id } }", {"command": base | {"payment": {"paymentGatewayCode": "code", "amount": -1}}})),
        line("coupon huge", p, "purchase", gql("mutation V($command: InputValidateCouponType!) { validateCoupon(command: $command) }", {"command": base | {"coupon": "C" * 100000}})),
    ]
    return cases

def marketplace_cases():
    p = "/marketplace/graphql"
    up = "mutation U($input: AdvertUpsertMutationInput!) { advertUpsert(input: $input) { status errors { field messages } advert { id } } }"
    cases = common(p, "seller", "{ brands { totalCount } }")
    ids = ["", "!!!!", "bm90LWEtbm9kZQ==", base64.b64encode(b"Advert-").decode(), base64.b64encode(b"Advert-abc").decode(),
           base64.b64encode(b"Advert--1").decode(), base64.b64encode(b"Advert-99999999999999999999").decode(),
           base64.b64encode(b"Nope-1").decode(), base64.b64encode(b"Advert-1 OR 1=1").decode(), "QWR2ZXJ0LTEwMDA3MDcz", "A" * 10000]
    for i, v in enumerate(ids):
        cases.append(line(f"node malformed id {i}", p, "seller", gql("query N($id: ID!) { node(id: $id) { id } }", {"id": v})))
    cases += [
        line("no key", p, "none", gql("{ brands { totalCount } }")),
        line("wrong key", p, "forged", gql("{ brands { totalCount } }")),
        line("client token as key", p, "wrong-audience", gql("{ brands { totalCount } }")),
        line("other seller's advert by node", p, "seller-2", gql("{ node(id: \"QWR2ZXJ0LTEwMDA3MDczNA==\") { id } }")),
        line("other seller's invoice", p, "seller-2", gql("{ node(id: \"SW52b2ljZS0xMzIxOA==\") { id } }")),
        line("other seller's advert update", p, "seller-2", gql(up, {"input": {"advertId": "QWR2ZXJ0LTEwMDA3MDczMA==", "attributes": {"price": "1.00"}}})),
        line("other seller's variant delete", p, "seller-2", gql("mutation { variantDelete(input: {id: \"VmFyaWFudC03ODAyMw==\"}) { status errors { field messages } } }")),
        line("other seller's shipment", p, "seller-2", gql("mutation { shipmentCreate(input: {invoiceId: \"SW52b2ljZS0xMDQyMQ==\", dispatchedAt: \"2023-06-07\", postageCarrierId: \"U2hpcG1lbnRDYXJyaWVyLTY5\", trackingNumber: \"1\", shippedItems: [{lineItemId: \"TGluZUl0ZW0tNDk5\", quantity: 1}]}) { status errors { field messages } } }")),
        line("upsert price not a number", p, "seller", gql(up, {"input": {"attributes": {"title": "x", "price": "forty"}}})),
        line("upsert negative price", p, "seller", gql(up, {"input": {"attributes": {"title": "x", "price": "-1.00"}}})),
        line("upsert no variants", p, "seller", gql(up, {"input": {"attributes": {"title": "x", "price": "1.00"}}})),
        line("upsert unknown brand", p, "seller", gql(up, {"input": {"attributes": {"title": "x", "price": "1.00", "brandId": "QnJhbmQtOTk5OTk="}}})),
        line("upsert brand id of another type", p, "seller", gql(up, {"input": {"attributes": {"title": "x", "price": "1.00", "brandId": "VGF4b24tMjc4"}}})),
        line("upsert negative count on hand", p, "seller", gql(up, {"input": {"attributes": {"title": "x", "price": "1.00", "variants": [{"countOnHand": -5}]}}})),
        line("upsert huge title", p, "seller", gql(up, {"input": {"attributes": {"title": "T" * 100000, "price": "1.00"}}})),
        line("upsert bad image url", p, "seller", gql(up, {"input": {"attributes": {"title": "x", "price": "1.00", "images": [{"sourceUrl": "javascript:alert(1)"}]}}})),
        line("upsert bad base64 image", p, "seller", gql(up, {"input": {"attributes": {"title": "x", "price": "1.00", "images": [{"dataBase64": "%%%", "filename": "a.png"}]}}})),
        line("upsert 1000 variants", p, "seller", gql(up, {"input": {"attributes": {"title": "x", "price": "1.00", "variants": [{"countOnHand": 1}] * 1000}}})),
        line("variant update unknown", p, "seller", gql("mutation { variantUpdate(input: {variantId: \"VmFyaWFudC05OTk5OTk5\", attributes: {countOnHand: 1}}) { status errors { field messages } } }")),
        line("ship more than ordered", p, "seller", gql("mutation { shipmentCreate(input: {invoiceId: \"SW52b2ljZS0xMDQyMQ==\", dispatchedAt: \"2023-06-07\", postageCarrierId: \"U2hpcG1lbnRDYXJyaWVyLTY5\", trackingNumber: \"1\", shippedItems: [{lineItemId: \"TGluZUl0ZW0tNDk5\", quantity: 99999}]}) { status errors { field messages } } }")),
        line("ship negative quantity", p, "seller", gql("mutation { shipmentCreate(input: {invoiceId: \"SW52b2ljZS0xMDQyMQ==\", dispatchedAt: \"2023-06-07\", postageCarrierId: \"U2hpcG1lbnRDYXJyaWVyLTY5\", trackingNumber: \"1\", shippedItems: [{lineItemId: \"TGluZUl0ZW0tNDk5\", quantity: -1}]}) { status errors { field messages } } }")),
        line("ship bad date", p, "seller", gql("mutation { shipmentCreate(input: {invoiceId: \"SW52b2ljZS0xMDQyMQ==\", dispatchedAt: \"June 7th\", postageCarrierId: \"U2hpcG1lbnRDYXJyaWVyLTY5\", trackingNumber: \"1\", shippedItems: [{lineItemId: \"TGluZUl0ZW0tNDk5\", quantity: 1}]}) { status errors { field messages } } }")),
        line("page size 1000", p, "seller", gql("{ allAdverts(first: 1000) { totalCount } }")),
        line("page size negative", p, "seller", gql("{ allAdverts(first: -1) { totalCount } }")),
        line("last negative", p, "seller", gql("{ allAdverts(last: -5) { totalCount } }")),
        line("forged cursor", p, "seller", gql("{ allAdverts(after: \"Zm9yZ2Vk\") { totalCount } }")),
        line("invoice bad date filter", p, "seller", gql("{ invoices(filters: {updatedSince: \"not a date\"}) { totalCount } }")),
        line("nodes 10000 ids", p, "seller", gql("query N($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ["QnJhbmQtNA=="] * 10000})),
    ]
    return cases

def main():
    files = {"client": client_cases(), "shop": shop_cases(), "purchase": purchase_cases(), "marketplace": marketplace_cases()}
    total = 0
    for name, cases in files.items():
        with open(os.path.join(HERE, f"{name}.jsonl"), "w") as f:
            for c in cases:
                f.write(json.dumps(c) + "\n")
        total += len(cases)
        print(f"{name}: {len(cases)} requests")
    print(f"total: {total}")

if __name__ == "__main__":
    main()
