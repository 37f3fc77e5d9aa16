/* route_ops.c: unauthenticated operational endpoints (server key, health, metrics). */
#include <stdlib.h>

#include "porchlight/error.h"
#include "server/srv.h"
#include "util/hex.h"

int porch_srv_route_server(porch_srv_req *r)
{
    char hex[65];

    porch__hex_encode(hex, sizeof hex, r->srv->sign_pk, sizeof r->srv->sign_pk);
    return porch_srv_json(r, 200, json_pack("{s:s,s:s}", "sign_pk", hex, "version", "0.1.0"));
}

int porch_srv_route_health(porch_srv_req *r)
{
    if (r->srv->stopping)
        return porch_srv_json(r, 503, json_pack("{s:b}", "ok", 0));
    return porch_srv_json(r, 200, json_pack("{s:b}", "ok", 1));
}

int porch_srv_route_metrics(porch_srv_req *r)
{
    char *text = NULL;
    size_t len = 0;
    int ret = porch_srv_metrics_text(&r->srv->metrics, &text, &len);

    if (ret == PORCH_OK)
        ret = porch_srv_bytes(r, 200, (const uint8_t *)text, len,
                              "text/plain; version=0.0.4");
    free(text);
    return ret;
}
