//! ipvsadm 1.31's command line: every command and option, with its checks and messages.

use std::fmt;
use std::net::{IpAddr, ToSocketAddrs};

use rvs_core::abi::{self, af};
use rvs_core::ctl::proto;

/// What to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    AddService,
    EditService,
    DeleteService,
    Clear,
    Restore,
    Save,
    AddServer,
    EditServer,
    DeleteServer,
    List,
    Zero,
    SetTimeout,
    StartDaemon,
    StopDaemon,
    Help,
    Version,
}

impl Command {
    /// The short (or long) name ipvsadm uses in its messages.
    pub fn name(self) -> &'static str {
        match self {
            Command::AddService => "add-service",
            Command::EditService => "edit-service",
            Command::DeleteService => "delete-service",
            Command::Clear => "clear",
            Command::Restore => "restore",
            Command::Save => "save",
            Command::AddServer => "add-server",
            Command::EditServer => "edit-server",
            Command::DeleteServer => "delete-server",
            Command::List => "list",
            Command::Zero => "zero",
            Command::SetTimeout => "set",
            Command::StartDaemon => "start-daemon",
            Command::StopDaemon => "stop-daemon",
            Command::Help => "help",
            Command::Version => "version",
        }
    }
}

/// Options, as ipvsadm's OPT_* bits; used for its legality matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Opt {
    Numeric,
    Connection,
    Service,
    Scheduler,
    Persistent,
    Netmask,
    Server,
    Forward,
    Weight,
    UThreshold,
    LThreshold,
    McastInterface,
    SyncId,
    Timeout,
    Daemon,
    Stats,
    Rate,
    Thresholds,
    PersistentConn,
    NoSort,
    SyncMaxLen,
    McastGroup,
    McastPort,
    McastTtl,
    Exact,
    Ops,
    Pe,
    SchedFlags,
    TunType,
    TunPort,
    TunCsum,
    TunInfo,
}

impl Opt {
    fn name(self) -> &'static str {
        match self {
            Opt::Numeric => "numeric",
            Opt::Connection => "connection",
            Opt::Service => "service-address",
            Opt::Scheduler => "scheduler",
            Opt::Persistent => "persistent",
            Opt::Netmask => "netmask",
            Opt::Server => "real-server",
            Opt::Forward => "forwarding-method",
            Opt::Weight => "weight",
            Opt::UThreshold => "u-threshold",
            Opt::LThreshold => "l-threshold",
            Opt::McastInterface => "mcast-interface",
            Opt::SyncId => "syncid",
            Opt::Timeout => "timeout",
            Opt::Daemon => "daemon",
            Opt::Stats => "stats",
            Opt::Rate => "rate",
            Opt::Thresholds => "thresholds",
            Opt::PersistentConn => "persistent-conn",
            Opt::NoSort => "nosort",
            Opt::SyncMaxLen => "sync-maxlen",
            Opt::McastGroup => "mcast-group",
            Opt::McastPort => "mcast-port",
            Opt::McastTtl => "mcast-ttl",
            Opt::Exact => "exact",
            Opt::Ops => "ops",
            Opt::Pe => "pe",
            Opt::SchedFlags => "sched-flags",
            Opt::TunType => "tun-type",
            Opt::TunPort => "tun-port",
            Opt::TunCsum => "tun-nocsum|tun-csum|tun-remcsum",
            Opt::TunInfo => "tun-info",
        }
    }
}

/// A parsed invocation.
#[derive(Clone, Debug, Default)]
pub struct Invocation {
    pub command: Option<Command>,
    pub opts: Vec<Opt>,
    pub svc: abi::ServiceUser,
    pub dest: abi::DestUser,
    pub timeouts: abi::TimeoutUser,
    pub daemon: abi::DaemonUser,
    pub numeric: bool,
    pub exact: bool,
}

impl Invocation {
    pub fn has(&self, o: Opt) -> bool {
        self.opts.contains(&o)
    }
}

/// A command-line error: ipvsadm prints the message and exits with 2.
#[derive(Debug, PartialEq, Eq)]
pub struct Usage(pub String);

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn usage(msg: impl Into<String>) -> Usage {
    Usage(msg.into())
}

/// Default persistence timeout (seconds), as libipvs's.
pub const DEF_PERSIST_TIMEOUT: u32 = 360;
const MAX_TIMEOUT: u32 = 31 * 24 * 60 * 60;

/// ipvsadm's legality matrix: for each command, options that are required (`+`), allowed
/// (` `) or illegal (`x`, anything not listed).
fn legal(cmd: Command, o: Opt) -> Legality {
    use Legality::*;
    use Opt::*;
    let svc_opts = [Scheduler, Persistent, Netmask, Ops, Pe, SchedFlags];
    let dest_opts = [
        Forward, Weight, UThreshold, LThreshold, TunType, TunPort, TunCsum,
    ];
    let list_opts = [
        Numeric,
        Connection,
        Timeout,
        Daemon,
        Stats,
        Rate,
        Thresholds,
        PersistentConn,
        NoSort,
        Exact,
        TunInfo,
    ];
    let daemon_opts = [
        McastInterface,
        SyncId,
        SyncMaxLen,
        McastGroup,
        McastPort,
        McastTtl,
    ];
    match cmd {
        Command::AddService | Command::EditService => {
            if o == Service {
                Required
            } else if svc_opts.contains(&o) {
                Allowed
            } else {
                Illegal
            }
        }
        Command::DeleteService | Command::Zero => {
            if o == Service {
                if cmd == Command::Zero {
                    Allowed
                } else {
                    Required
                }
            } else {
                Illegal
            }
        }
        Command::AddServer | Command::EditServer => {
            if o == Service || o == Server {
                Required
            } else if dest_opts.contains(&o) {
                Allowed
            } else {
                Illegal
            }
        }
        Command::DeleteServer => {
            if o == Service || o == Server {
                Required
            } else {
                Illegal
            }
        }
        Command::List => {
            if o == Service || list_opts.contains(&o) {
                Allowed
            } else {
                Illegal
            }
        }
        Command::Save => {
            if o == Numeric {
                Allowed
            } else {
                Illegal
            }
        }
        Command::StartDaemon => {
            if daemon_opts.contains(&o) {
                Allowed
            } else {
                Illegal
            }
        }
        Command::Clear
        | Command::Restore
        | Command::SetTimeout
        | Command::StopDaemon
        | Command::Help
        | Command::Version => Illegal,
    }
}

#[derive(PartialEq, Eq)]
enum Legality {
    Required,
    Allowed,
    Illegal,
}

/// Parses a host or IP address (IPv6 without brackets).
fn parse_host(h: &str) -> Option<IpAddr> {
    if let Ok(a) = h.parse() {
        return Some(a);
    }
    (h, 0).to_socket_addrs().ok()?.map(|s| s.ip()).next()
}

/// Parses a port number or a service name from /etc/services.
fn parse_port(p: &str, protocol: u16) -> Option<u16> {
    if let Ok(n) = p.parse::<u32>() {
        return u16::try_from(n).ok();
    }
    let pname = if protocol == proto::UDP { "udp" } else { "tcp" };
    let services = std::fs::read_to_string("/etc/services").ok()?;
    services.lines().find_map(|l| {
        let l = l.split('#').next()?;
        let mut it = l.split_whitespace();
        let name = it.next()?;
        let (port, pr) = it.next()?.split_once('/')?;
        (pr == pname && (name == p || it.any(|alias| alias == p))).then(|| port.parse().ok())?
    })
}

/// Parses `host[:port]` or `[v6addr][:port]`: the address, its family and the port (0 if none).
pub fn parse_service_addr(s: &str, protocol: u16) -> Option<(IpAddr, Option<u16>)> {
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let (h, tail) = rest.split_once(']')?;
        match tail {
            "" => (h, None),
            t => (h, Some(t.strip_prefix(':')?)),
        }
    } else if s.matches(':').count() > 1 {
        (s, None) // a bare IPv6 address
    } else {
        match s.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (s, None),
        }
    };
    let addr = parse_host(host)?;
    let port = match port {
        Some(p) => Some(parse_port(p, protocol)?),
        None => None,
    };
    Some((addr, port))
}

fn set_addr(addr: IpAddr, family: &mut u16, bytes: &mut [u8; 16]) {
    *bytes = [0; 16];
    match addr {
        IpAddr::V4(a) => {
            *family = af::INET;
            bytes[..4].copy_from_slice(&a.octets());
        }
        IpAddr::V6(a) => {
            *family = af::INET6;
            bytes.copy_from_slice(&a.octets());
        }
    }
}

fn parse_num(s: &str, min: u64, max: u64) -> Option<u64> {
    s.parse::<u64>().ok().filter(|n| (min..=max).contains(n))
}

fn put_name(dst: &mut [u8], s: &str) -> bool {
    if s.len() >= dst.len() {
        return false;
    }
    dst.fill(0);
    dst[..s.len()].copy_from_slice(s.as_bytes());
    true
}

/// Parses one invocation's arguments (without the program name).
pub fn parse<S: AsRef<str>>(args: &[S]) -> Result<Invocation, Usage> {
    let mut inv = Invocation::default();
    let mut it = args.iter().map(|s| s.as_ref().to_string()).peekable();
    let mut svc_str: Option<(u16, String)> = None;
    let mut fwmark: Option<u32> = None;
    let mut server: Option<String> = None;
    let mut netmask: Option<String> = None;
    let mut sched: Option<String> = None;
    let mut ipv6 = false;
    let mut set_args: Vec<String> = Vec::new();
    let mut tun_type: Option<u8> = None;
    let mut csum: Option<u16> = None;

    // Expand "-Ln" into "-L" "-n", as popt does for short flags without arguments.
    let mut tokens: Vec<String> = Vec::new();
    for a in it.by_ref() {
        if a.len() > 2 && a.starts_with('-') && !a.starts_with("--") {
            let chars: Vec<char> = a[1..].chars().collect();
            let mut i = 0;
            while i < chars.len() {
                let c = chars[i];
                tokens.push(format!("-{c}"));
                // Options with an argument take the rest of the cluster as it.
                if "tufsMrwxyb".contains(c) && i + 1 < chars.len() {
                    tokens.push(chars[i + 1..].iter().collect());
                    break;
                }
                i += 1;
            }
        } else {
            tokens.push(a);
        }
    }
    let mut toks = tokens.into_iter().peekable();

    let set_cmd = |inv: &mut Invocation, c: Command| -> Result<(), Usage> {
        if let Some(old) = inv.command {
            if old != c {
                return Err(usage("Multiple commands specified"));
            }
        }
        inv.command = Some(c);
        Ok(())
    };
    let add_opt = |inv: &mut Invocation, o: Opt| -> Result<(), Usage> {
        if inv.opts.contains(&o) && o != Opt::Forward {
            return Err(usage(format!("multiple '{}' options specified", o.name())));
        }
        inv.opts.push(o);
        Ok(())
    };

    while let Some(tok) = toks.next() {
        let (name, inline) = match tok.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (tok.clone(), None),
        };
        let mut arg = |what: &str| -> Result<String, Usage> {
            inline
                .clone()
                .or_else(|| toks.next())
                .ok_or_else(|| usage(format!("option {what} requires an argument")))
        };
        match name.as_str() {
            "-A" | "--add-service" => set_cmd(&mut inv, Command::AddService)?,
            "-E" | "--edit-service" => set_cmd(&mut inv, Command::EditService)?,
            "-D" | "--delete-service" => set_cmd(&mut inv, Command::DeleteService)?,
            "-C" | "--clear" => set_cmd(&mut inv, Command::Clear)?,
            "-R" | "--restore" => set_cmd(&mut inv, Command::Restore)?,
            "-S" | "--save" => set_cmd(&mut inv, Command::Save)?,
            "-a" | "--add-server" => set_cmd(&mut inv, Command::AddServer)?,
            "-e" | "--edit-server" => set_cmd(&mut inv, Command::EditServer)?,
            "-d" | "--delete-server" => set_cmd(&mut inv, Command::DeleteServer)?,
            "-L" | "-l" | "--list" => set_cmd(&mut inv, Command::List)?,
            "-Z" | "--zero" => set_cmd(&mut inv, Command::Zero)?,
            "--set" => {
                set_cmd(&mut inv, Command::SetTimeout)?;
                for _ in 0..3 {
                    match toks.next() {
                        Some(v) => set_args.push(v),
                        None => return Err(usage("--set option requires 3 timeout values")),
                    }
                }
            }
            "--start-daemon" | "--stop-daemon" => {
                let c = if name == "--start-daemon" {
                    Command::StartDaemon
                } else {
                    Command::StopDaemon
                };
                set_cmd(&mut inv, c)?;
                let state = arg(&name)?;
                inv.daemon.state = match state.as_str() {
                    "master" => 1,
                    "backup" => 2,
                    _ => return Err(usage("illegal start-daemon parameter specified")),
                };
                put_name(&mut inv.daemon.mcast_ifn, "eth0");
            }
            "-h" | "--help" => set_cmd(&mut inv, Command::Help)?,
            "-v" | "--version" => set_cmd(&mut inv, Command::Version)?,
            "-t" | "--tcp-service" | "-u" | "--udp-service" | "--sctp-service" => {
                add_opt(&mut inv, Opt::Service)?;
                let p = match name.as_str() {
                    "-t" | "--tcp-service" => proto::TCP,
                    "-u" | "--udp-service" => proto::UDP,
                    _ => proto::SCTP,
                };
                svc_str = Some((p, arg(&name)?));
            }
            "-f" | "--fwmark-service" => {
                add_opt(&mut inv, Opt::Service)?;
                let v = arg(&name)?;
                fwmark = Some(
                    parse_num(&v, 1, u32::MAX as u64)
                        .ok_or_else(|| usage("illegal virtual server address[:port] specified"))?
                        as u32,
                );
            }
            "-6" | "--ipv6" => ipv6 = true,
            "-s" | "--scheduler" => {
                add_opt(&mut inv, Opt::Scheduler)?;
                sched = Some(arg(&name)?);
            }
            "-p" | "--persistent" => {
                add_opt(&mut inv, Opt::Persistent)?;
                inv.svc.flags |= 0x1;
                let t = match inline.clone() {
                    Some(v) => Some(v),
                    None => toks.next_if(|n| !n.starts_with('-')),
                };
                inv.svc.timeout = match t {
                    Some(v) => parse_num(&v, 1, MAX_TIMEOUT as u64)
                        .ok_or_else(|| usage("illegal timeout for persistent service specified"))?
                        as u32,
                    None => DEF_PERSIST_TIMEOUT,
                };
            }
            "-M" | "--netmask" => {
                add_opt(&mut inv, Opt::Netmask)?;
                netmask = Some(arg(&name)?);
            }
            "-r" | "--real-server" => {
                add_opt(&mut inv, Opt::Server)?;
                server = Some(arg(&name)?);
            }
            "-g" | "--gatewaying" | "-i" | "--ipip" | "-m" | "--masquerading" => {
                if inv.has(Opt::Forward) {
                    return Err(usage("multiple forwarding methods specified"));
                }
                add_opt(&mut inv, Opt::Forward)?;
                inv.dest.conn_flags = match name.as_str() {
                    "-g" | "--gatewaying" => 3,
                    "-i" | "--ipip" => 2,
                    _ => 0,
                };
            }
            "-w" | "--weight" => {
                add_opt(&mut inv, Opt::Weight)?;
                inv.dest.weight = parse_num(&arg(&name)?, 0, 65535)
                    .ok_or_else(|| usage("illegal weight specified"))?
                    as i32;
            }
            "-x" | "--u-threshold" => {
                add_opt(&mut inv, Opt::UThreshold)?;
                inv.dest.u_threshold = parse_num(&arg(&name)?, 0, i32::MAX as u64)
                    .ok_or_else(|| usage("illegal u_threshold specified"))?
                    as u32;
            }
            "-y" | "--l-threshold" => {
                add_opt(&mut inv, Opt::LThreshold)?;
                inv.dest.l_threshold = parse_num(&arg(&name)?, 0, i32::MAX as u64)
                    .ok_or_else(|| usage("illegal l_threshold specified"))?
                    as u32;
            }
            "-c" | "--connection" => add_opt(&mut inv, Opt::Connection)?,
            "--timeout" => add_opt(&mut inv, Opt::Timeout)?,
            "--daemon" => add_opt(&mut inv, Opt::Daemon)?,
            "--stats" => add_opt(&mut inv, Opt::Stats)?,
            "--rate" => add_opt(&mut inv, Opt::Rate)?,
            "--thresholds" => add_opt(&mut inv, Opt::Thresholds)?,
            "--persistent-conn" => add_opt(&mut inv, Opt::PersistentConn)?,
            "--tun-info" => add_opt(&mut inv, Opt::TunInfo)?,
            "--nosort" => add_opt(&mut inv, Opt::NoSort)?,
            "--sort" => {}
            "-n" | "--numeric" => {
                add_opt(&mut inv, Opt::Numeric)?;
                inv.numeric = true;
            }
            "-X" | "--exact" => {
                add_opt(&mut inv, Opt::Exact)?;
                inv.exact = true;
            }
            "-o" | "--ops" => {
                add_opt(&mut inv, Opt::Ops)?;
                inv.svc.flags |= 0x4;
            }
            "--pe" => {
                add_opt(&mut inv, Opt::Pe)?;
                let v = arg(&name)?;
                if !put_name(&mut inv.svc.pe_name, &v) {
                    return Err(usage("persistence engine name too long"));
                }
            }
            "-b" | "--sched-flags" => {
                add_opt(&mut inv, Opt::SchedFlags)?;
                let v = arg(&name)?;
                for f in v.split(',') {
                    inv.svc.flags |= match f {
                        "flag-1" | "sh-fallback" | "mh-fallback" => 0x08,
                        "flag-2" | "sh-port" | "mh-port" => 0x10,
                        "flag-3" => 0x20,
                        _ => return Err(usage("invalid scheduler flag")),
                    };
                }
            }
            "--mcast-interface" => {
                add_opt(&mut inv, Opt::McastInterface)?;
                let v = arg(&name)?;
                if !put_name(&mut inv.daemon.mcast_ifn, &v) {
                    return Err(usage("illegal mcast-interface specified"));
                }
            }
            "--syncid" => {
                add_opt(&mut inv, Opt::SyncId)?;
                inv.daemon.syncid = parse_num(&arg(&name)?, 0, 255)
                    .ok_or_else(|| usage("illegal syncid specified"))?
                    as i32;
            }
            "--sync-maxlen" => {
                add_opt(&mut inv, Opt::SyncMaxLen)?;
                parse_num(&arg(&name)?, 1, 65507)
                    .ok_or_else(|| usage("illegal sync-maxlen specified"))?;
            }
            "--mcast-group" => {
                add_opt(&mut inv, Opt::McastGroup)?;
                let v = arg(&name)?;
                match parse_host(&v) {
                    Some(a) if a.is_multicast() => {}
                    _ => return Err(usage("illegal IP address for mcast-group specified")),
                }
            }
            "--mcast-port" => {
                add_opt(&mut inv, Opt::McastPort)?;
                parse_num(&arg(&name)?, 1, 65535)
                    .ok_or_else(|| usage("illegal mcast-port specified"))?;
            }
            "--mcast-ttl" => {
                add_opt(&mut inv, Opt::McastTtl)?;
                parse_num(&arg(&name)?, 1, 255)
                    .ok_or_else(|| usage("illegal mcast-ttl specified"))?;
            }
            "--tun-type" => {
                add_opt(&mut inv, Opt::TunType)?;
                tun_type = Some(match arg(&name)?.as_str() {
                    "ipip" => 0,
                    "gue" => 1,
                    "gre" => 2,
                    _ => return Err(usage("illegal tunnel type specified")),
                });
            }
            "--tun-port" => {
                add_opt(&mut inv, Opt::TunPort)?;
                let p = parse_num(&arg(&name)?, 1, 65535)
                    .ok_or_else(|| usage("illegal tunnel port specified"))?;
                inv.dest.tun_port = (p as u16).to_be();
            }
            "--tun-nocsum" | "--tun-csum" | "--tun-remcsum" => {
                add_opt(&mut inv, Opt::TunCsum)?;
                csum = Some(match name.as_str() {
                    "--tun-nocsum" => 0,
                    "--tun-csum" => 1,
                    _ => 2,
                });
            }
            other if other.starts_with('-') && other.len() > 1 => {
                return Err(usage(format!("{other}: unknown option")));
            }
            other => return Err(usage(format!("unexpected argument {other}"))),
        }
    }

    let cmd = inv.command.unwrap_or(Command::List);
    inv.command = Some(cmd);

    // The legality matrix, as ipvsadm checks it.
    for &o in &inv.opts {
        if o != Opt::Forward && legal(cmd, o) == Legality::Illegal {
            return Err(usage(format!(
                "Illegal '{}' option with the '{}' command",
                o.name(),
                cmd.name()
            )));
        }
        if o == Opt::Forward && !matches!(cmd, Command::AddServer | Command::EditServer) {
            return Err(usage(format!(
                "Illegal '{}' option with the '{}' command",
                o.name(),
                cmd.name()
            )));
        }
    }
    for o in [Opt::Service, Opt::Server] {
        if legal(cmd, o) == Legality::Required && !inv.has(o) {
            return Err(usage(format!(
                "You need to supply the '{}' option for the '{}' command",
                o.name(),
                cmd.name()
            )));
        }
    }
    let listing = [Opt::Connection, Opt::Timeout, Opt::Daemon];
    let details = [
        Opt::Stats,
        Opt::Rate,
        Opt::Thresholds,
        Opt::PersistentConn,
        Opt::TunInfo,
    ];
    if listing.iter().filter(|o| inv.has(**o)).count()
        + details.iter().filter(|o| inv.has(**o)).count()
        > 1
        && !(inv.has(Opt::Connection) && inv.has(Opt::PersistentConn))
    {
        return Err(usage("options conflict with each other"));
    }

    // The virtual service.
    if let Some((p, s)) = svc_str {
        let (addr, port) = parse_service_addr(&s, p)
            .ok_or_else(|| usage("illegal virtual server address[:port] specified"))?;
        inv.svc.protocol = p;
        set_addr(addr, &mut inv.svc.af, &mut inv.svc.addr);
        inv.svc.port = port.unwrap_or(0).to_be();
        if ipv6 {
            return Err(usage("-6 used before -f"));
        }
    } else if let Some(m) = fwmark {
        inv.svc.fwmark = m;
        inv.svc.protocol = proto::TCP;
        inv.svc.af = if ipv6 { af::INET6 } else { af::INET };
    } else if ipv6 {
        return Err(usage("-6 used before -f"));
    }
    if inv.svc.af == 0 {
        inv.svc.af = af::INET;
    }
    if matches!(cmd, Command::AddService | Command::EditService) {
        let s = sched.as_deref().unwrap_or("wlc");
        if !put_name(&mut inv.svc.sched_name, s) {
            return Err(usage("scheduler name too long"));
        }
        if inv.svc.flags & 0x1 != 0 {
            let default = if inv.svc.af == af::INET6 {
                128
            } else {
                u32::from_ne_bytes([255; 4])
            };
            inv.svc.netmask = default;
        }
        if inv.svc.port == 0 && inv.svc.fwmark == 0 && inv.svc.flags & 0x1 == 0 {
            return Err(usage("Zero port specified for non-persistent service"));
        }
        if inv.svc.flags & 0x4 != 0 && inv.svc.fwmark == 0 && inv.svc.protocol != proto::UDP {
            return Err(usage(
                "One-Packet Scheduling is only for UDP virtual services",
            ));
        }
    }
    if let Some(m) = netmask {
        inv.svc.netmask = if inv.svc.af == af::INET6 {
            parse_num(&m, 1, 128)
                .ok_or_else(|| usage("illegal virtual server netmask specified"))?
                as u32
        } else {
            match m.parse::<std::net::Ipv4Addr>() {
                Ok(a) => u32::from_ne_bytes(a.octets()),
                Err(_) => return Err(usage("illegal virtual server netmask specified")),
            }
        };
    }

    // The real server.
    if let Some(s) = server {
        let (addr, port) = parse_service_addr(&s, inv.svc.protocol)
            .ok_or_else(|| usage("illegal real server address[:port] specified"))?;
        set_addr(addr, &mut inv.dest.af, &mut inv.dest.addr);
        let vport = u16::from_be(inv.svc.port);
        let mut dport = port.unwrap_or(vport);
        // DR and tunnel cannot map ports: the real server sees the service's port.
        if inv.svc.fwmark == 0 && inv.dest.conn_flags != 0 {
            dport = vport;
        }
        inv.dest.port = dport.to_be();
        if inv.dest.af != inv.svc.af && inv.dest.conn_flags != 2 {
            return Err(usage(
                "Different address family is allowed only for tunnel servers",
            ));
        }
    }
    if matches!(cmd, Command::AddServer | Command::EditServer) {
        if !inv.has(Opt::Forward) {
            inv.dest.conn_flags = 3;
        }
        if !inv.has(Opt::Weight) {
            inv.dest.weight = 1;
        }
        if inv.dest.conn_flags != 2
            && (tun_type.is_some() || inv.has(Opt::TunPort) || csum.is_some())
        {
            return Err(usage("tunnel options are only for ipip (-i) servers"));
        }
        let tt = tun_type.unwrap_or(0);
        match tt {
            0 if inv.has(Opt::TunPort) || csum.is_some() => {
                return Err(usage("ipip tunnels take no --tun-port or checksum option"))
            }
            1 if !inv.has(Opt::TunPort) => return Err(usage("gue tunnels need --tun-port")),
            2 if inv.has(Opt::TunPort) || csum == Some(2) => {
                return Err(usage("gre tunnels take --tun-nocsum or --tun-csum only"))
            }
            _ => {}
        }
        inv.dest.tun_type = tt;
        inv.dest.tun_flags = csum.unwrap_or(0);
        // Like ipvsadm, thresholds in the wrong order are the kernel's to refuse (ERANGE).
    }

    if cmd == Command::SetTimeout {
        let mut v = [0i32; 3];
        for (i, a) in set_args.iter().enumerate() {
            v[i] = parse_num(a, 0, MAX_TIMEOUT as u64)
                .ok_or_else(|| usage("illegal timeout value specified"))? as i32;
        }
        inv.timeouts = abi::TimeoutUser {
            tcp_timeout: v[0],
            tcp_fin_timeout: v[1],
            udp_timeout: v[2],
        };
    }
    Ok(inv)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &str) -> Result<Invocation, Usage> {
        parse(&args.split_whitespace().collect::<Vec<_>>())
    }

    #[test]
    fn add_service_defaults() {
        let i = p("-A -t 10.0.0.1:80").unwrap();
        assert_eq!(i.command, Some(Command::AddService));
        assert_eq!(i.svc.af, af::INET);
        assert_eq!(i.svc.protocol, proto::TCP);
        assert_eq!(&i.svc.addr[..4], &[10, 0, 0, 1]);
        assert_eq!(u16::from_be(i.svc.port), 80);
        assert_eq!(&i.svc.sched_name[..4], b"wlc\0");
    }

    #[test]
    fn persistent_with_and_without_timeout() {
        let i = p("-A -u 10.0.0.1:53 -s sh -p").unwrap();
        assert_eq!((i.svc.flags, i.svc.timeout), (1, DEF_PERSIST_TIMEOUT));
        assert_eq!(i.svc.netmask, u32::MAX);
        let i = p("-A -t 10.0.0.1:0 -p 90 -M 255.255.255.0").unwrap();
        assert_eq!(i.svc.timeout, 90);
        assert_eq!(i.svc.netmask.to_ne_bytes(), [255, 255, 255, 0]);
        assert!(
            p("-A -t 10.0.0.1:0").is_err(),
            "zero port needs persistence"
        );
    }

    #[test]
    fn servers_and_forwarding() {
        let i = p("-a -t 10.0.0.1:80 -r 192.168.0.2:8080 -m -w 3").unwrap();
        assert_eq!(
            (i.dest.conn_flags, i.dest.weight, u16::from_be(i.dest.port)),
            (0, 3, 8080)
        );
        // DR keeps the service's port.
        let i = p("-a -t 10.0.0.1:80 -r 192.168.0.2:8080 -g").unwrap();
        assert_eq!(u16::from_be(i.dest.port), 80);
        // Default: gatewaying, weight 1.
        let i = p("-a -t 10.0.0.1:80 -r 192.168.0.2").unwrap();
        assert_eq!((i.dest.conn_flags, i.dest.weight), (3, 1));
        let i = p("-a -t 10.0.0.1:80 -r 192.168.0.2 -i --tun-type gue --tun-port 6080 --tun-csum")
            .unwrap();
        assert_eq!(
            (
                i.dest.tun_type,
                u16::from_be(i.dest.tun_port),
                i.dest.tun_flags
            ),
            (1, 6080, 1)
        );
        assert!(p("-a -t 10.0.0.1:80 -r 192.168.0.2 -i --tun-type gue").is_err());
        assert!(
            p("-a -t 10.0.0.1:80 -r [2001:db8::2] -m").is_err(),
            "mixed families only for tunnels"
        );
        assert!(p("-a -t 10.0.0.1:80 -r [2001:db8::2] -i").is_ok());
    }

    #[test]
    fn ipv6_and_fwmark() {
        let i = p("-A -t [2001:db8::80]:443 -s rr").unwrap();
        assert_eq!(i.svc.af, af::INET6);
        assert_eq!(i.svc.addr[0..2], [0x20, 0x01]);
        let i = p("-A -f 7 -6 -s rr").unwrap();
        assert_eq!((i.svc.fwmark, i.svc.af), (7, af::INET6));
        assert!(p("-A -6 -t 10.0.0.1:80").is_err());
    }

    #[test]
    fn clustered_short_options() {
        let i = p("-Ln").unwrap();
        assert_eq!(i.command, Some(Command::List));
        assert!(i.numeric);
        let i = p("-Lnc").unwrap();
        assert!(i.has(Opt::Connection));
        assert_eq!(p("").unwrap().command, Some(Command::List));
    }

    #[test]
    fn ipvsadm_messages() {
        assert_eq!(
            p("-a -t 10.0.0.1:80").unwrap_err().0,
            "You need to supply the 'real-server' option for the 'add-server' command"
        );
        assert_eq!(
            p("-D -t 10.0.0.1:80 -s rr").unwrap_err().0,
            "Illegal 'scheduler' option with the 'delete-service' command"
        );
        assert_eq!(
            p("-A -t 1.2.3.4:80 -E").unwrap_err().0,
            "Multiple commands specified"
        );
        assert!(p("-L -c --stats").is_err());
        assert!(p("--set 1 2").is_err());
        let i = p("--set 10 0 30").unwrap();
        assert_eq!(
            (
                i.timeouts.tcp_timeout,
                i.timeouts.tcp_fin_timeout,
                i.timeouts.udp_timeout
            ),
            (10, 0, 30)
        );
        assert!(p("--set 10 0 2678401").is_err());
        assert!(p("--bogus").is_err());
    }

    #[test]
    fn daemon_options() {
        let i = p("--start-daemon backup --mcast-interface eth1 --syncid 9").unwrap();
        assert_eq!((i.daemon.state, i.daemon.syncid), (2, 9));
        assert_eq!(&i.daemon.mcast_ifn[..5], b"eth1\0");
        assert!(p("--start-daemon other").is_err());
        assert!(p("--start-daemon master --syncid 256").is_err());
    }
}
