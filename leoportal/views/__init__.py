"""leoportal's pages: the site's own (home, dashboard, sign-in), a background job's, API tokens', notifications'."""
