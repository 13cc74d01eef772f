using Npgsql;

namespace Rectify.Api.Infrastructure;

/// <summary>
/// What most handlers take from the request and the container, bound with <c>[AsParameters]</c> (eShop's service
/// bundles): the request, the database and the clock as one parameter, so a handler's signature names what it does
/// (issue 18: no more than seven parameters). A page that acts through a handler passes its own.
/// </summary>
public sealed record ApiRequest(HttpContext Http, NpgsqlDataSource Db, TimeProvider Clock);
