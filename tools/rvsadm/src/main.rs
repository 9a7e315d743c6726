//! rvsadm: the administration tool of rvs, with ipvsadm 1.31's command line and output.

mod cli;
mod kernel;
mod output;

use std::io::{self, BufRead, Write};
use std::process::ExitCode;

use cli::{Command, Invocation, Opt};
use kernel::Control;
use output::Format;
use rvs_core::abi::{self, set, version_parts};

const USAGE: &str = include_str!("usage.txt");

/// How a command ended: 0, a usage error (2) or a kernel error (255, as ipvsadm's `exit(-1)`),
/// with its message.
enum Failure {
    Usage(String),
    Kernel(String),
    /// A failure with its own exit status (ipvsadm's `-L` of a missing service exits 1).
    Status(u8, String),
}

type Outcome = Result<(), Failure>;

/// ipvsadm's `ipvs_strerror`: the message for `errno` returned by `cmd`.
fn strerror(cmd: Command, err: &io::Error) -> String {
    use Command::*;
    let e = err.raw_os_error().unwrap_or(0);
    let specific = match (cmd, e) {
        (AddService, libc::EEXIST) => Some("Service already exists"),
        (AddService | EditService, libc::ENOENT) => {
            Some("Scheduler or persistence engine not found")
        }
        (EditService | DeleteService | Zero | List, libc::ESRCH) => Some("No such service"),
        (AddServer | EditServer | DeleteServer, libc::ESRCH) => Some("Service not defined"),
        (AddServer, libc::EEXIST) => Some("Destination already exists"),
        (EditServer | DeleteServer, libc::ENOENT) => Some("No such destination"),
        (StartDaemon, libc::EEXIST) => Some("Daemon has already run"),
        (StopDaemon, libc::ESRCH) => Some("No daemon is running"),
        _ => None,
    };
    if let Some(m) = specific {
        return m.into();
    }
    match e {
        libc::EPERM => "Permission denied (you must be root)".into(),
        libc::EINVAL => {
            "Invalid operation.  Possibly wrong module version, address not unicast, ...".into()
        }
        libc::ENOPROTOOPT => "Protocol not available".into(),
        libc::ENOMEM => "Memory allocation problem".into(),
        libc::EOPNOTSUPP => {
            let what = match cmd {
                AddService | EditService => "persistent, one-packet or firewall-mark services",
                AddServer | EditServer => "GUE or GRE tunnels",
                StartDaemon => "connection sync daemons",
                _ => "this command",
            };
            format!("rvs.ko does not support {what} yet")
        }
        // strerror(3), as ipvsadm prints it: without Rust's " (os error N)".
        _ => {
            let text = err.to_string();
            match text.rfind(" (os error ") {
                Some(i) => text[..i].to_string(),
                None => text,
            }
        }
    }
}

fn open() -> Result<Control, Failure> {
    let c = Control::open().map_err(|e| Failure::Kernel(format!("Can't initialize rvs: {e}")))?;
    // An unloaded module shows as ENOPROTOOPT on the first call.
    match c.info() {
        Err(e) if e.raw_os_error() == Some(libc::ENOPROTOOPT) => Err(Failure::Kernel(format!(
            "Can't initialize rvs: {}\nAre you sure that rvs.ko is loaded?",
            strerror(Command::Version, &e)
        ))),
        _ => Ok(c),
    }
}

fn kernel_err(cmd: Command) -> impl Fn(io::Error) -> Failure {
    move |e| Failure::Kernel(strerror(cmd, &e))
}

fn list(c: &Control, inv: &Invocation, out: &mut String) -> Outcome {
    let cmd = Command::List;
    if inv.has(Opt::Connection) {
        let text = std::fs::read_to_string("/proc/net/rvs_conn").map_err(|e| {
            Failure::Kernel(format!("Could not open the /proc/net/rvs_conn file: {e}"))
        })?;
        output::connections(out, &text);
        return Ok(());
    }
    if inv.has(Opt::Timeout) {
        let t = c.timeouts().map_err(kernel_err(cmd))?;
        out.push_str(&format!(
            "Timeout (tcp tcpfin udp): {} {} {}\n",
            t.tcp_timeout, t.tcp_fin_timeout, t.udp_timeout
        ));
        return Ok(());
    }
    if inv.has(Opt::Daemon) {
        for d in c.daemons().map_err(kernel_err(cmd))? {
            let name = match d.state {
                1 => "master",
                2 => "backup",
                _ => continue,
            };
            let ifn = String::from_utf8_lossy(&d.mcast_ifn);
            out.push_str(&format!(
                "{name} sync daemon (mcast={}, syncid={})\n",
                ifn.trim_end_matches('\0'),
                d.syncid
            ));
        }
        return Ok(());
    }
    let format = [
        (Opt::Stats, Format::Stats),
        (Opt::Rate, Format::Rate),
        (Opt::Thresholds, Format::Thresholds),
        (Opt::PersistentConn, Format::PersistentConn),
        (Opt::TunInfo, Format::TunInfo),
    ]
    .iter()
    .find(|(o, _)| inv.has(*o))
    .map_or(Format::Plain, |(_, f)| *f);
    let info = c.info().map_err(kernel_err(cmd))?;
    if inv.has(Opt::Service) {
        let e = c
            .service(&inv.svc)
            .map_err(|e| Failure::Status(1, strerror(cmd, &e)))?;
        let dests = c.dests(&e).map_err(kernel_err(cmd))?;
        out.push_str(&output::version_line(&info));
        out.push('\n');
        output::title(out, format);
        output::service(out, &e, &dests, format, inv.exact);
        return Ok(());
    }
    let mut services = c.services().map_err(kernel_err(cmd))?;
    if !inv.has(Opt::NoSort) {
        services.sort_by_key(|(e, _)| {
            (
                e.svc.fwmark,
                e.svc.af,
                e.svc.protocol,
                e.svc.addr,
                u16::from_be(e.svc.port),
            )
        });
        for (_, d) in services.iter_mut() {
            d.sort_by_key(|d| (d.dest.addr, u16::from_be(d.dest.port)));
        }
    }
    out.push_str(&output::version_line(&info));
    out.push('\n');
    output::title(out, format);
    for (e, d) in &services {
        output::service(out, e, d, format, inv.exact);
    }
    Ok(())
}

fn run(inv: &Invocation, out: &mut String) -> Outcome {
    let cmd = inv.command.unwrap_or(Command::List);
    match cmd {
        Command::Help => {
            out.push_str(&format!("{}\n{}", version_banner(), USAGE));
            return Ok(());
        }
        Command::Version => {
            let module = match Control::open().and_then(|c| c.info()) {
                Ok(i) => {
                    let (a, b, c) = version_parts(i.version);
                    format!("rvs.ko v{a}.{b}.{c}")
                }
                Err(_) => "rvs.ko not loaded".into(),
            };
            out.push_str(&format!("{} ({module})\n", version_banner()));
            return Ok(());
        }
        Command::Restore => return restore(out),
        _ => {}
    }
    let c = open()?;
    let k = kernel_err(cmd);
    match cmd {
        Command::AddService => c.set_struct(set::ADD, &inv.svc).map_err(k),
        Command::EditService => c.set_struct(set::EDIT, &inv.svc).map_err(k),
        Command::DeleteService => c.set_struct(set::DEL, &inv.svc).map_err(k),
        Command::Clear => c.set(set::FLUSH, &[]).map_err(k),
        Command::Zero => {
            let svc = if inv.has(Opt::Service) {
                inv.svc
            } else {
                abi::ServiceUser::default()
            };
            c.set_struct(set::ZERO, &svc).map_err(k)
        }
        Command::AddServer | Command::EditServer | Command::DeleteServer => {
            let op = match cmd {
                Command::AddServer => set::ADDDEST,
                Command::EditServer => set::EDITDEST,
                _ => set::DELDEST,
            };
            c.set_struct(
                op,
                &abi::ServiceDestUser {
                    svc: inv.svc,
                    dest: inv.dest,
                },
            )
            .map_err(k)
        }
        Command::SetTimeout => c.set_struct(set::TIMEOUT, &inv.timeouts).map_err(k),
        Command::StartDaemon => c.set_struct(set::STARTDAEMON, &inv.daemon).map_err(k),
        Command::StopDaemon => c.set_struct(set::STOPDAEMON, &inv.daemon).map_err(k),
        Command::List => list(&c, inv, out),
        Command::Save => {
            for (e, d) in c.services().map_err(k)? {
                output::save(out, &e, &d);
            }
            Ok(())
        }
        Command::Help | Command::Version | Command::Restore => Ok(()),
    }
}

/// `-R`: every line of standard input is one invocation; `#` starts a comment.
fn restore(out: &mut String) -> Outcome {
    for line in io::stdin().lock().lines() {
        let line = line.map_err(|e| Failure::Kernel(e.to_string()))?;
        let line = line.split('#').next().unwrap_or("").trim();
        let mut args: Vec<&str> = line.split_whitespace().collect();
        if args
            .first()
            .is_some_and(|a| *a == "ipvsadm" || *a == "rvsadm" || a.ends_with("/rvsadm"))
        {
            args.remove(0);
        }
        if args.is_empty() {
            continue;
        }
        let inv = cli::parse(&args).map_err(|u| Failure::Usage(u.0))?;
        if inv.command == Some(Command::Restore) {
            return Err(Failure::Usage("-R cannot be nested".into()));
        }
        run(&inv, out)?;
    }
    Ok(())
}

fn version_banner() -> String {
    let (a, b, c) = version_parts(abi::VERSION_CODE);
    format!("rvsadm v{a}.{b}.{c} (ipvsadm v1.31 command line, rvs ABI v{a}.{b}.{c})")
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut out = String::new();
    let result = match cli::parse(&args) {
        Ok(inv) => run(&inv, &mut out),
        Err(u) => Err(Failure::Usage(u.0)),
    };
    let _ = io::stdout().write_all(out.as_bytes());
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Kernel(m)) => {
            eprintln!("{m}");
            ExitCode::from(255)
        }
        Err(Failure::Status(code, m)) => {
            eprintln!("{m}");
            ExitCode::from(code)
        }
        Err(Failure::Usage(m)) => {
            eprintln!("{m}");
            ExitCode::from(2)
        }
    }
}
