using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using ItemPathOrleans.ClusterNode.Tokens;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Contracts.Tokens;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ItemPathOrleans.Api.Cluster;

/// <summary>The revocation check could not be answered: the request gets a 503, never a pass.</summary>
public sealed class ClusterUnavailableException(Exception inner) : Exception("The cluster did not answer.", inner);
