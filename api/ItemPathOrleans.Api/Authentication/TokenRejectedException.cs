using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using ItemPathOrleans.Api.Cluster;
using ItemPathOrleans.ClusterNode.Tokens;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Contracts.Tokens;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ItemPathOrleans.Api.Authentication;

/// <summary>A token that validated cryptographically but is refused by a rule of the contract.</summary>
public sealed class TokenRejectedException(string message) : Exception(message);
