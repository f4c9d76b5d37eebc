/// Every route the daemon serves. The OpenAPI document in docs/openapi.yaml describes each
/// one; a test fails when a route is served but not described.
public enum DaemonRoutes {
    public static func router(_ context: DaemonContext) -> Router {
        var router = Router()
        router.logger = context.logger
        router.addStatusRoutes(context)
        router.addJobRoutes(context)
        router.addScheduleRoutes(context)
        router.addDatasetRoutes(context)
        router.addCompetitionRoutes(context)
        router.addSubmissionRoutes(context)
        router.addTeamRoutes(context)
        router.addSelectionRoutes(context)
        router.addEventRoutes(context)
        router.addWebhookRoutes(context)
        router.addAutomationRoutes(context)
        router.add("GET", "/metrics", .host) { _ in
            APIResponse(contentType: DaemonMetrics.contentType, body: .bytes(try await context.metrics.exposition()))
        }
        // The pages ask the API as their reader: they hold the router as it is without them.
        router.addPageRoutes(context, api: router)
        router.observe = { [metrics = context.metrics] method, route, status in metrics.request(method: method, route: route, status: status) }
        return router
    }
}
