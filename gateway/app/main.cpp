#include <iostream>

#include "app/gateway_app.h"

POCO_SERVER_MAIN(lpr::GatewayApp)
